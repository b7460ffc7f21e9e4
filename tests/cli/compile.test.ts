/**
 * `deno task compile`: both one-file bundles are built once (at the default level; compressed parts
 * come from the build cache when an earlier build made them), copied alone into empty folders and run
 * with a bare environment; their sizes are checked against the README's; an interrupted build leaves
 * nothing behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { PRESENTATION_PACKAGES } from "../../scripts/bundle_contents.ts";

const root = join(import.meta.dirname!, "../..");
const dir = mkdtempSync(join(tmpdir(), "nc-compile-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 2 ** 20;
const built = { full: join(dir, "build", "nc"), training: join(dir, "build", "nc-training") };
const buildSeconds: Record<string, number> = {};

/** Runs the compile script (asynchronously: a cold build takes minutes, and the test runner must stay responsive). */
function compile(args: string[]): Promise<{ status: number | null; stderr: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["run", "-A", join(root, "scripts/compile.ts"), ...args], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on("close", (status) => resolve({ status, stderr, seconds: (performance.now() - started) / 1000 }))
  );
}

beforeAll(async () => {
  for (const [kind, out] of Object.entries(built)) {
    const result = await compile(["--out", out, ...(kind === "training" ? ["--training-only"] : [])]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\[compile\] .*: \d+\.\d MiB \((full|training-only), xz -6\)/);
    buildSeconds[kind] = result.seconds;
  }
}, 900_000);

/** An empty folder holding only the bundle, and a runner with a bare environment and a new home. */
function alone(bundle: string, name: string) {
  const work = join(dir, name);
  mkdirSync(work);
  copyFileSync(bundle, join(work, "nc"));
  const home = join(dir, `${name}-home`);
  // `env -i`: child_process's `env` option adds to this process's environment under Deno instead of replacing it.
  const nc = (args: string[], extra: Record<string, string> = {}) => {
    const env = Object.entries({ HOME: home, PATH: "/usr/bin:/bin", ...extra }).map(([k, v]) => `${k}=${v}`);
    return spawnSync("/usr/bin/env", ["-i", ...env, "./nc", ...args], { cwd: work, encoding: "utf8" });
  };
  return { work, home, nc };
}

const TRAIN = [
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

test("the README states both bundles' sizes within 10 %, and the training-only one is at most 48 MiB", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const stated = (name: string) => {
    const match = new RegExp("`dist/" + name + "` \\(about (\\d+) MiB\\)").exec(readme);
    expect(match, `README.md: "\`dist/${name}\` (about N MiB)"`).not.toBeNull();
    return Number(match![1]);
  };
  const full = statSync(built.full).size / MiB;
  const training = statSync(built.training).size / MiB;
  expect(training).toBeLessThanOrEqual(48);
  expect(Math.abs(stated("nc") - full) / full, `full bundle: ${full.toFixed(1)} MiB`).toBeLessThanOrEqual(0.1);
  expect(Math.abs(stated("nc-training") - training) / training, `training-only bundle: ${training.toFixed(1)} MiB`)
    .toBeLessThanOrEqual(0.1);
  console.log(
    `bundles: full ${full.toFixed(1)} MiB (${buildSeconds.full.toFixed(0)} s), ` +
      `training-only ${training.toFixed(1)} MiB (${buildSeconds.training.toFixed(0)} s)`,
  );
});

describe("the training-only bundle, alone in an empty folder with a bare environment", () => {
  let work: string, home: string, nc: ReturnType<typeof alone>["nc"];
  beforeAll(() => ({ work, home, nc } = alone(built.training, "training")));

  test("trains, runs one task of a grid, and runs the benchmark", () => {
    const train = nc([...TRAIN, "--runs-dir", "runs", "--json", "--quiet"]);
    expect(train.status, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ status: "done", epoch: 2 });
    const wasm = nc([...TRAIN, "--backend", "wasm", "--runs-dir", "wasm-runs", "--json", "--quiet"]);
    expect(wasm.status, wasm.stderr).toBe(0);
    expect(JSON.parse(wasm.stdout)).toMatchObject({ status: "done", backend: "wasm" });
    // The webgpu backend's package is there (Deno's WebGPU is in its binary): the software adapter here.
    const webgpu = nc([...TRAIN, "--backend", "webgpu", "--runs-dir", "gpu-runs", "--json", "--quiet"], {
      NC_WEBGPU_SOFTWARE: "1",
    });
    expect(webgpu.status, webgpu.stderr).toBe(0);
    expect(JSON.parse(webgpu.stdout)).toMatchObject({ status: "done", backend: "webgpu" });
    const grid = { base: { dataset: "synthetic", depth: 1, batchSize: 50 }, losses: [{ name: "ce" }, { name: "mse" }] };
    writeFileSync(join(work, "grid.json"), JSON.stringify({ ...grid, widths: [8], epochs: [2], seeds: [0] }));
    const task = nc(["sweep", "--grid", "grid.json", "--array-index", "1", "--runs-dir", "runs", "--json"]);
    expect(task.status, task.stderr).toBe(0);
    expect(JSON.parse(task.stdout)).toMatchObject({ done: 1, failed: 0 });
    expect(JSON.parse(task.stdout).runs[0].id).toMatch(/-mse-/);
    const ls = nc(["runs", "ls", "--runs-dir", "runs"]);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout.trim().split("\n")).toHaveLength(3);
    const bench = nc([
      "bench",
      "--backend",
      "native",
      "--batch",
      "4",
      "--steps",
      "1",
      "--models",
      "mlp",
      "--no-paper-run",
      "--json",
    ]);
    expect(bench.status, bench.stderr).toBe(0);
    const rows = bench.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(rows.map((r) => r.name)).toEqual(["device", "mlp"]);
    expect(rows[1].samples_per_s).toBeGreaterThan(0);
  }, 240_000);

  test("refuses the presentation commands in one line, and holds none of their packages", () => {
    for (const command of ["plot", "export", "metrics", "ufm", "data"]) {
      const refused = nc([command, "--help"]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe(
        `error: nc ${command} is not in the training-only bundle; use the full bundle or a checkout\n`,
      );
    }
    const help = nc(["--help"]);
    expect(help.stdout).toMatch(/Not in this training-only bundle: metrics, ufm, plot, export, data/);
    const [unpacked] = readdirSync(join(home, ".cache", "nc-losses"));
    const copy = join(home, ".cache", "nc-losses", unpacked);
    for (const pkg of PRESENTATION_PACKAGES) expect(existsSync(join(copy, "node_modules", pkg)), pkg).toBe(false);
    expect(existsSync(join(copy, "fonts"))).toBe(false);
    expect(existsSync(join(copy, "lib", "cli", "runs_commands.ts"))).toBe(false);
    expect(existsSync(join(copy, "lib", "cli", "train_command.ts"))).toBe(true);
  });
});

test("the full bundle, alone in an empty folder with a bare environment, trains a run, plots and exports it", () => {
  const { work, home, nc } = alone(built.full, "full");
  const train = nc([...TRAIN, "--runs-dir", "runs", "--json", "--quiet"]);
  expect(train.status, train.stderr).toBe(0);
  const out = JSON.parse(train.stdout);
  expect(out).toMatchObject({ status: "done", epoch: 2 });
  expect(readdirSync(join(work, "runs"))).toEqual([out.id]);
  expect(readdirSync(work).sort()).toEqual(["nc", "runs"]);
  // Unpacked once, under the home's cache; a second call reuses it and finds the done run.
  const cache = join(home, ".cache", "nc-losses");
  const [unpacked] = readdirSync(cache);
  expect(existsSync(join(cache, unpacked, ".complete"))).toBe(true);
  const again = nc([...TRAIN, "--runs-dir", "runs", "--json", "--quiet"]);
  expect(again.status, again.stderr).toBe(0);
  expect(readdirSync(cache)).toEqual([unpacked]);
  expect(JSON.parse(again.stdout).id).toBe(out.id);
  // The presentation packages and the fonts are there.
  const plot = nc(["plot", join("runs", out.id), "--out", "curves.png"]);
  expect(plot.status, plot.stderr).toBe(0);
  expect(statSync(join(work, "curves.png")).size).toBeGreaterThan(10_000);
  const exported = nc(["export", join("runs", out.id), "--out", "rows.parquet"]);
  expect(exported.status, exported.stderr).toBe(0);
  expect(readFileSync(join(work, "rows.parquet")).subarray(0, 4).toString()).toBe("PAR1");
}, 240_000);

describe("an interrupted or failed build leaves no staging files and no partial bundle", () => {
  const stages = (cache: string) => existsSync(cache) ? readdirSync(cache).filter((n) => n.startsWith("stage-")) : [];

  test("SIGTERM while compressing: exit 143, the staging folder removed", async () => {
    const cache = join(dir, "cold-cache");
    const out = join(dir, "interrupted", "nc");
    const child = spawn(process.execPath, [
      "run",
      "-A",
      join(root, "scripts/compile.ts"),
      "--training-only",
      "--out",
      out,
      "--cache",
      cache,
    ], { cwd: root, stdio: "ignore" });
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (code, signal) => resolve([code, signal]))
    );
    // Wait until xz writes into the staging folder (the Deno binary takes a minute to compress).
    const deadline = Date.now() + 60_000;
    while (!stages(cache).some((s) => readdirSync(join(cache, s)).length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stages(cache)).toHaveLength(1);
    // Sent past the child object, which would otherwise report any exit after its kill() as the signal.
    process.kill(child.pid!, "SIGTERM");
    expect(await exited).toEqual([143, null]);
    expect(stages(cache)).toEqual([]);
    // Only finished streams reach the cache (the Deno binary's was not finished).
    expect(readdirSync(cache).every((n) => /^[0-9a-f]{32}\.xz$/.test(n))).toBe(true);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  }, 120_000);

  test("an error after compressing: exit 1, one line, nothing left", async () => {
    writeFileSync(join(dir, "a-file"), "");
    const out = join(dir, "a-file", "nc");
    const cache = join(process.env.XDG_CACHE_HOME || join(process.env.HOME ?? "", ".cache"), "nc-losses", "compile");
    const before = stages(cache);
    const failed = await compile(["--training-only", "--out", out]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^error: .+\n$/m);
    expect(stages(cache).filter((s) => !before.includes(s))).toEqual([]);
  }, 300_000);
});
