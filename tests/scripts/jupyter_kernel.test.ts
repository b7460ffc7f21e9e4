import { afterAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { installKernel, kernelName } from "../../lib/notebook/kernel.js";
import { DEBIAN_PYTHON } from "../../lib/notebook/execute.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-kernels-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeCheckout(name: string): { root: string; deno: string } {
  const root = join(dir, name);
  const deno = join(root, "node_modules", "deno", "deno");
  mkdirSync(join(root, "node_modules", "deno"), { recursive: true });
  writeFileSync(deno, "#!/bin/sh\n");
  chmodSync(deno, 0o755);
  return { root, deno };
}

test("two checkouts get kernels of their own; removing one leaves the other's and the user's deno kernel working", () => {
  const data = join(dir, "jupyter");
  const own = {
    argv: ["/usr/local/bin/deno", "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
  };
  mkdirSync(join(data, "kernels", "deno"), { recursive: true });
  writeFileSync(join(data, "kernels", "deno", "kernel.json"), JSON.stringify(own));
  const a = fakeCheckout("clone-a"), b = fakeCheckout("clone-b");
  expect(installKernel(a.root, a.deno, data)).toBe(true);
  expect(installKernel(b.root, b.deno, data)).toBe(true);
  expect(installKernel(b.root, b.deno, data)).toBe(false); // already in place: nothing written
  expect(kernelName(a.root)).not.toBe(kernelName(b.root));
  rmSync(a.root, { recursive: true, force: true });
  const spec = JSON.parse(readFileSync(join(data, "kernels", kernelName(b.root), "kernel.json"), "utf8"));
  expect(spec.argv[0]).toBe(b.deno);
  expect(existsSync(spec.argv[0])).toBe(true);
  expect(spec.display_name).toBe("Deno (clone-b)");
  expect(JSON.parse(readFileSync(join(data, "kernels", "deno", "kernel.json"), "utf8"))).toEqual(own);
  // Jupyter itself (jupyter_client, as nbclient uses it) finds all three.
  const script = "import json; from jupyter_client.kernelspec import KernelSpecManager; " +
    "print(json.dumps(sorted(KernelSpecManager().find_kernel_specs())))";
  const listed = spawnSync(DEBIAN_PYTHON, ["-c", script], {
    env: { ...process.env, JUPYTER_DATA_DIR: data, JUPYTER_PATH: data },
    encoding: "utf8",
  });
  expect(listed.status, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining(["deno", kernelName(a.root), kernelName(b.root)]));
});
