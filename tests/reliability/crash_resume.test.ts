import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { initBackend } from "../../lib/backend/backend.ts";
import { createRng } from "../../lib/core/random.ts";
import { readRun, runTraining } from "../../lib/training/run.ts";
import { rowsWithoutWallTime } from "../helpers.ts";
import { checkRunFiles, startCli } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Six epochs of a batch-norm MLP on a Gaussian mixture: 10 batches per epoch, evaluation every epoch. */
const CONFIG = {
  dataset: "synthetic",
  synthetic: { numClasses: 4, dim: 16, trainPerClass: 100, testPerClass: 40, separation: 3 },
  model: "mlp",
  width: 32,
  depth: 2,
  batchNorm: true,
  epochs: 6,
  batchSize: 36,
  loss: { name: "ls", alpha: 0.1 },
  seed: 7,
};

/** Faults: injected at fixed points (inside an epoch, during an evaluation, mid checkpoint write), then kills at seeded random times. */
const INJECTED = ["batch:7", "evaluate:2", "checkpoint-write:1", "batch:25", "checkpoint-write:2"];
const RANDOM_KILLS = 3;
/** Number of faults the suite injects in this file (reported in docs/training.md). */
export const CRASH_FAULTS = INJECTED.length + RANDOM_KILLS;

// webgpu runs on the software adapter of these machines (NC_WEBGPU_SOFTWARE=1); a GPU takes the same path.
describe.each(["wasm", "native", "webgpu"])("on %s", (backend) => {
  test(
    `a run killed with SIGKILL ${CRASH_FAULTS} times and resumed ends with the uninterrupted run's metrics; no file is ever half-written`,
    async () => {
      // The same backend and thread count in this process and in the killed ones.
      const env = { NC_BACKEND: backend, NC_THREADS: "2", NC_WEBGPU_SOFTWARE: "1" };
      const saved = process.env.NC_WEBGPU_SOFTWARE;
      process.env.NC_WEBGPU_SOFTWARE = "1";
      await initBackend({ backend, threads: 2, quiet: true });
      if (saved === undefined) delete process.env.NC_WEBGPU_SOFTWARE;
      else process.env.NC_WEBGPU_SOFTWARE = saved;
      const root = join(dir, backend);
      const reference = await runTraining(CONFIG, { runsDir: join(root, "reference"), log: () => {} });
      const config = join(root, "config.json");
      writeFileSync(config, JSON.stringify(CONFIG));
      const args = ["train", "--config", config, "--runs-dir", join(root, "crashed"), "--json", "--quiet"];
      const runDir = () => join(root, "crashed", readdirSync(join(root, "crashed"))[0]);
      let leftovers = 0;
      for (const fault of INJECTED) {
        const result = await startCli(args, { ...env, NC_FAULT: fault }).done;
        expect(result.signal, `fault ${fault}`).toBe("SIGKILL");
        leftovers += checkRunFiles(runDir()).leftovers.length;
      }
      const rng = createRng("random-kills");
      for (let i = 0; i < RANDOM_KILLS; i++) {
        const child = startCli(args, env);
        await Promise.race([child.waitFor(/resuming|training/), child.done]);
        await new Promise((resolve) => setTimeout(resolve, 100 + 600 * rng.uniform()));
        child.kill();
        await child.done;
        leftovers += checkRunFiles(runDir()).leftovers.length;
      }
      // A checkpoint-write fault leaves its temporary file beside the untouched checkpoint.
      expect(leftovers).toBeGreaterThan(0);
      const finished = await startCli(args, env).done;
      expect(finished.code).toBe(0);
      expect(JSON.parse(finished.stdout).backend).toBe(backend);
      const resumed = readRun(runDir());
      expect(resumed.status.state).toBe("done");
      expect(checkRunFiles(runDir()).leftovers).toEqual([]);
      expect(readdirSync(runDir()).sort()).toEqual([
        "checkpoint.bin",
        "config.json",
        "metrics.jsonl",
        "settings.json",
        "status.json",
      ]);
      expect(rowsWithoutWallTime(resumed.rows)).toEqual(rowsWithoutWallTime(reference.rows));
      // The best-validation choice (validation after every epoch, kept in the checkpoint) survives too.
      const { wallSeconds: _, final: __, ...summary } = resumed.status.summary!;
      const { wallSeconds: ___, final: ____, ...expected } = reference.status.summary!;
      expect(summary).toEqual(expected);
    },
    240_000,
  );
});
