/**
 * `nc` from any folder: relative paths resolve against the caller's directory (INIT_CWD under
 * `deno task` and the `./nc` launcher), the run store defaults to NC_RUNS_DIR, else ./runs there,
 * and the project's own files are still found from the code.
 */
import { afterAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { DATA_DIR } from "../../lib/data/data_dir.ts";
import { restoreEnvAfterEach, runCli } from "../helpers.ts";

const ROOT = resolve(import.meta.dirname!, "../..");
const dir = mkdtempSync(join(tmpdir(), "nc-any-folder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
restoreEnvAfterEach("INIT_CWD");
restoreEnvAfterEach("NC_RUNS_DIR");

/** A folder outside the checkout holding a copy of the NumPy fixture (N = 20, K = 3, d = 5). */
function workFolder(name: string): string {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  copyFileSync(join(ROOT, "tests/fixtures/npy/arrays.npz"), join(work, "feats.npz"));
  return work;
}

const TINY = ["train", "--dataset", "synthetic", "--width", "4", "--depth", "1", "--epochs", "1", "--quiet", "--json"];

/** The caller's environment without the variables under test (vitest itself may run under `deno task`). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== "INIT_CWD" && k !== "NC_RUNS_DIR") env[k] = v;
  }
  return { ...env, ...extra };
}

describe("relative paths resolve against the caller's directory (INIT_CWD)", () => {
  test("nc metrics --npz feats.npz reads the caller's file", async () => {
    process.env.INIT_CWD = workFolder("metrics");
    const { status, stdout, stderr } = await runCli(["metrics", "--npz", "feats.npz", "--json"]);
    expect(stderr).not.toMatch(/error/);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ N: 20, K: 3, d: 5 });
  });

  test(
    "nc train writes to a relative --runs-dir, else NC_RUNS_DIR, else ./runs, all in the caller's directory",
    async () => {
      const work = workFolder("train");
      process.env.INIT_CWD = work;
      delete process.env.NC_RUNS_DIR;
      const flag = JSON.parse((await runCli([...TINY, "--runs-dir", "store"])).stdout);
      expect(flag.runDir).toBe(join(work, "store", flag.id));
      expect(existsSync(join(flag.runDir, "status.json"))).toBe(true);
      const byDefault = JSON.parse((await runCli([...TINY, "--seed", "1"])).stdout);
      expect(byDefault.runDir).toBe(join(work, "runs", byDefault.id));
      process.env.NC_RUNS_DIR = "shared-runs";
      const byEnv = JSON.parse((await runCli([...TINY, "--seed", "2"])).stdout);
      expect(byEnv.runDir).toBe(join(work, "shared-runs", byEnv.id));
      for (const id of [flag.id, byDefault.id, byEnv.id]) expect(existsSync(join(ROOT, "runs", id))).toBe(false);

      // The stored runs, named relative to the caller, export to a relative file.
      const exported = await runCli(["export", `store/${flag.id}`, `runs/${byDefault.id}`, "--out", "rows.csv"]);
      expect(exported.status).toBe(0);
      expect(exported.stdout.trim()).toBe(join(work, "rows.csv"));
      expect(readFileSync(join(work, "rows.csv"), "utf8").trim().split("\n")).toHaveLength(3);
    },
    60_000,
  );

  test("a relative path that is not there is named in the error", async () => {
    process.env.INIT_CWD = workFolder("missing");
    const { status, stderr } = await runCli(["plot", "runs/nothing", "--out", "x.svg"]);
    expect(status).toBe(2);
    expect(stderr).toContain(
      `runs/nothing is not a run directory (no status.json in ${join(dir, "missing")}/runs/nothing)`,
    );
  });

  test("the project's data folder is found from the code, not the caller", () => {
    expect(DATA_DIR).toBe(join(ROOT, "data"));
  });
});

describe("from a shell in another folder", () => {
  test("the ./nc launcher, called through a symbolic link, reads paths relative to the shell's folder", () => {
    const work = workFolder("launcher");
    mkdirSync(join(work, "bin"));
    symlinkSync(join(ROOT, "nc"), join(work, "bin", "nc"));
    // A stale INIT_CWD (here: the checkout) does not mislead the launcher.
    const run = spawnSync("bin/nc", ["metrics", "--npz", "feats.npz", "--json"], {
      cwd: work,
      env: cleanEnv({ INIT_CWD: ROOT }),
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ N: 20, K: 3, d: 5 });
    const bad = spawnSync("bin/nc", ["metrcs"], { cwd: work, env: cleanEnv(), encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/did you mean metrics\?/);
  });

  test("deno task nc trains into ./runs of the folder it is called from, not the checkout", () => {
    const work = workFolder("task");
    // `env -u`: a child's environment under Deno keeps the parent's variables, and the test command
    // itself runs under `deno task`, which has set INIT_CWD to the checkout.
    const run = spawnSync(
      "env",
      [
        "-u",
        "INIT_CWD",
        "-u",
        "NC_RUNS_DIR",
        join(ROOT, "node_modules/.bin/deno"),
        "task",
        "--quiet",
        "--config",
        join(ROOT, "deno.json"),
        "nc",
        ...TINY,
        "--seed",
        "3",
      ],
      { cwd: work, env: cleanEnv(), encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.runDir).toBe(join(work, "runs", out.id));
    expect(existsSync(join(work, "runs", out.id, "status.json"))).toBe(true);
    expect(existsSync(join(ROOT, "runs", out.id))).toBe(false);
  }, 60_000);

  test("package.json names the launcher as the package's nc command, and it is executable", () => {
    const { bin } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(bin).toEqual({ nc: "nc" });
    expect(() => accessSync(join(ROOT, bin.nc), constants.X_OK)).not.toThrow();
    expect(readFileSync(join(ROOT, bin.nc), "utf8")).toMatch(/^#!\/usr\/bin\/env bash\n/);
  });
});
