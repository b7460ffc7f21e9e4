import { afterAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const root = join(import.meta.dirname!, "../..");
const dir = mkdtempSync(join(tmpdir(), "nc-compile-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(
  "deno task compile builds one file that, copied alone into an empty directory, trains a run there",
  () => {
    const built = join(dir, "build", "nc");
    const compile = spawnSync(process.execPath, [
      "run",
      "-A",
      join(root, "scripts/compile.ts"),
      "--out",
      built,
      "--level",
      "0",
    ], {
      cwd: root,
      encoding: "utf8",
    });
    expect(compile.status, compile.stderr).toBe(0);
    expect(compile.stderr).toMatch(/\[compile\] .*: \d+\.\d MiB \(xz -0\)/);
    const work = join(dir, "empty");
    mkdirSync(work);
    copyFileSync(built, join(work, "nc"));
    // Nothing from this checkout: a bare environment, a new home, the file alone.
    const env = { HOME: join(dir, "home"), PATH: "/usr/bin:/bin" };
    const args = [
      "train",
      "--dataset",
      "synthetic",
      "--width",
      "8",
      "--depth",
      "1",
      "--epochs",
      "2",
      "--batch-size",
      "50",
    ];
    const train = spawnSync("./nc", [...args, "--runs-dir", "runs", "--json", "--quiet"], {
      cwd: work,
      env,
      encoding: "utf8",
    });
    expect(train.status, train.stderr).toBe(0);
    const out = JSON.parse(train.stdout);
    expect(out).toMatchObject({ status: "done", epoch: 2 });
    expect(readdirSync(join(work, "runs"))).toEqual([out.id]);
    expect(readdirSync(work).sort()).toEqual(["nc", "runs"]);
    // Unpacked once, under the home's cache; a second call reuses it and finds the done run.
    const cache = join(dir, "home", ".cache", "nc-losses");
    const [unpacked] = readdirSync(cache);
    expect(existsSync(join(cache, unpacked, ".complete"))).toBe(true);
    const again = spawnSync("./nc", [...args, "--runs-dir", "runs", "--json", "--quiet"], {
      cwd: work,
      env,
      encoding: "utf8",
    });
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(cache)).toEqual([unpacked]);
    expect(JSON.parse(again.stdout).id).toBe(out.id);
  },
  240_000,
);
