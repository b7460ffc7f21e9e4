import { afterAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { installKernel, installSharedKernel, kernelName, SHARED_KERNEL } from "../../lib/notebook/kernel.js";
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

test("the shared nc-losses kernel runs the Deno of the checkout it is started in, else the installing one's", () => {
  const a = fakeCheckout("shared-a"), b = fakeCheckout("shared-b");
  for (const { root, deno } of [a, b]) {
    // A checkout: lib/notebook/kernel.js and node_modules/.bin/deno; the fake Deno says who it is.
    mkdirSync(join(root, "lib", "notebook"), { recursive: true });
    writeFileSync(join(root, "lib", "notebook", "kernel.js"), "");
    writeFileSync(deno, `#!/bin/sh\necho "${root} $*"\n`);
    mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
    symlinkSync(deno, join(root, "node_modules", ".bin", "deno"));
    mkdirSync(join(root, "notebooks"), { recursive: true });
  }
  const data = join(dir, "shared-jupyter");
  expect(installSharedKernel(a.deno, data)).toBe(true);
  expect(installSharedKernel(b.deno, data)).toBe(false); // a's is in place and works for b too
  const start = (cwd: string) => {
    const { argv } = JSON.parse(readFileSync(join(data, "kernels", SHARED_KERNEL, "kernel.json"), "utf8"));
    const args = argv.slice(1).map((s: string) => s.replace("{connection_file}", "conn.json"));
    return spawnSync(argv[0], args, { cwd, encoding: "utf8" }).stdout.trim();
  };
  expect(start(join(b.root, "notebooks"))).toBe(`${b.root} jupyter --kernel --conn conn.json`);
  expect(start(join(a.root, "notebooks"))).toBe(`${a.root} jupyter --kernel --conn conn.json`);
  expect(start(dir)).toBe(`${a.root} jupyter --kernel --conn conn.json`); // outside any checkout
  // The installing checkout deleted: the next set-up writes its own fallback.
  rmSync(a.root, { recursive: true, force: true });
  expect(installSharedKernel(b.deno, data)).toBe(true);
  expect(start(dir)).toBe(`${b.root} jupyter --kernel --conn conn.json`);
});

test("a plain jupyter nbconvert --execute runs a notebook that names the nc-losses kernel", () => {
  const data = join(dir, "nbconvert-jupyter");
  const root = join(import.meta.dirname!, "../..");
  installSharedKernel(realpathSync(join(root, "node_modules", ".bin", "deno")), data);
  const work = join(root, ".vitest", "nbconvert");
  mkdirSync(work, { recursive: true });
  const notebook = {
    cells: [{
      cell_type: "code",
      execution_count: null,
      id: "c0",
      metadata: {},
      outputs: [],
      source: ['Deno.writeTextFileSync("answer.txt", String(6 * 7));'],
    }],
    metadata: { kernelspec: { display_name: "Deno (nc-losses)", language: "typescript", name: SHARED_KERNEL } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(work, "tiny.ipynb"), JSON.stringify(notebook));
  const run = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--output", "tiny.out", "tiny.ipynb"],
    {
      cwd: work,
      env: { ...process.env, JUPYTER_DATA_DIR: data, JUPYTER_PATH: data },
      encoding: "utf8",
    },
  );
  expect(run.status, run.stderr).toBe(0);
  // The kernel ran in the notebook's folder (its outputs can come after the cell's idle, which plain
  // nbconvert may drop: the project's own runner waits for them, lib/notebook/execute_notebook.py).
  expect(readFileSync(join(work, "answer.txt"), "utf8")).toBe("42");
  expect(existsSync(join(work, "tiny.out.ipynb"))).toBe(true);
}, 120_000);
