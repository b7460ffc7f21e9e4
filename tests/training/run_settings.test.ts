import { afterAll, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { nativeThreads } from "../../lib/backend/native_libraries.ts";
import { runTraining } from "../../lib/training/run.ts";
import { rowsWithoutWallTime } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { log: () => {} };
/** A small batch-norm MLP on a Gaussian mixture. */
const CONFIG = {
  dataset: "synthetic",
  synthetic: { numClasses: 4, dim: 16, trainPerClass: 100, testPerClass: 25, separation: 2 },
  model: "mlp",
  width: 32,
  depth: 2,
  batchNorm: true,
  epochs: 4,
  batchSize: 100,
  loss: { name: "ce" },
  seed: 3,
};

test(
  "a native run started with 2 threads and resumed in a 1-thread process resumes with 2: the uninterrupted 2-thread run's metrics",
  async () => {
    await initBackend({ backend: "native", threads: 2, quiet: true });
    const twoThreads = await runTraining(CONFIG, { runsDir: join(dir, "two"), ...quiet });

    await initBackend({ backend: "native", threads: 2, quiet: true });
    const stopped = await runTraining(CONFIG, { runsDir: join(dir, "resumed"), stopAfterEpoch: 2, ...quiet });
    expect(JSON.parse(readFileSync(join(stopped.dir, "settings.json"), "utf8"))).toEqual({
      backend: "native",
      threads: 2,
    });
    await initBackend({ backend: "native", threads: 1, quiet: true });
    const lines: string[] = [];
    // The results of some kernels (oneDNN's reductions) depend on the thread count; the run's epochs
    // after the resume are trained with the count it started with.
    const threadsPerEpoch: number[] = [];
    const resumed = await runTraining(CONFIG, {
      runsDir: join(dir, "resumed"),
      log: (l) => lines.push(l),
      onEpoch: () => threadsPerEpoch.push(nativeThreads()),
    });
    expect(threadsPerEpoch).toEqual([2, 2]);
    expect(lines).toContainEqual(expect.stringMatching(/started with 2 native threads: it resumes with 2, not 1/));
    expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(twoThreads.rows));
    // The process's own count is back for what it trains next.
    expect(nativeThreads()).toBe(1);
  },
  120_000,
);

test(
  "a run started on one backend and resumed on another stops with one line naming both and how to go on",
  async () => {
    const small = CONFIG;
    await initBackend({ backend: "wasm", quiet: true });
    await runTraining(small, { runsDir: join(dir, "switch"), stopAfterEpoch: 1, ...quiet });
    await initBackend({ backend: "cpu", quiet: true });
    const error = await runTraining(small, { runsDir: join(dir, "switch"), ...quiet }).catch((e) => e);
    expect(error.name).toBe("RunSettingsError");
    expect(error.message).toMatch(
      /^run \S+ started on wasm and would resume on cpu, matching neither's uninterrupted run: resume it with --backend wasm \(NC_BACKEND=wasm\), or remove \S+ to train it again$/,
    );
    // Refusing to resume records no failure: the run resumes as it was on its own backend.
    await initBackend({ backend: "wasm", quiet: true });
    const resumed = await runTraining(small, { runsDir: join(dir, "switch"), ...quiet });
    expect(resumed.status.state).toBe("done");
  },
  120_000,
);
