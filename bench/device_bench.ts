/**
 * The accelerator benchmark, `deno task bench --backend webgpu|tensorflow|native [--batch 128]
 * [--steps N] [--json]`: one prepared script for a GPU machine (or the compiled `dist/nc`'s
 * environment), which prints
 *
 * - the device (adapter description, or the backend's own);
 * - training samples/s of the MLP 784-512-512-10, the CIFAR ResNet-18 at width 0.25 and the paper's
 *   CIFAR ResNet-50 at widths 0.25 and 1, at `--batch` (default 128) on 32×32×3 synthetic inputs;
 * - one short run of the `paper` preset's heat-map model (ResNet-50 at the grid's smallest width,
 *   reference recipe A) through the run store, one epoch on a small synthetic CIFAR-10-format dataset
 *   written to a temporary directory, with its wall time and test accuracy.
 *
 * Sized to finish within 5 minutes on a GPU at the defaults; the tests run it on the software
 * WebGPU adapter with `--batch 4 --steps 1`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend, probeWebGpu } from "../lib/backend/backend.ts";
import { createRng } from "../lib/core/random.ts";
import { figureGrid } from "../lib/experiments/figure_presets.ts";
import { runTraining } from "../lib/training/run.ts";
import { expandGrid } from "../lib/experiments/sweep.ts";
import { buildMlp } from "../lib/models/mlp.ts";
import type { Network } from "../lib/models/network.ts";
import { buildResNet18, buildResNet50 } from "../lib/models/resnet.ts";
import { trainThroughput } from "./training_step.ts";

/** The paper's optimizer settings (clipping and weight decay cost time on a device too). */
const SGD = { momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 };

/** One line of the benchmark's output. */
export interface DeviceResult {
  name: string;
  backend: string;
  variant?: string;
  samples_per_s?: number;
  seconds?: number;
  note?: string;
}

/** Writes a CIFAR-10-format dataset of seeded random images (`perFile` images per training file). */
function writeSyntheticCifar10(dir: string, perFile: number, testImages: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = createRng("device-bench-cifar");
  const records = (n: number) => {
    const bytes = new Uint8Array(n * 3073);
    for (let i = 0; i < n; i++) {
      bytes[i * 3073] = i % 10;
      for (let j = 1; j < 3073; j++) bytes[i * 3073 + j] = Math.floor(256 * rng.uniform());
    }
    return bytes;
  };
  for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), records(perFile));
  writeFileSync(join(dir, "test_batch.bin"), records(testImages));
}

/**
 * Runs the benchmark on `backend` and returns its rows.
 *
 * @example
 * ```ts
 * const rows = await deviceBench("webgpu", { batch: 128, steps: 10 });
 * ```
 */
export async function deviceBench(
  backend: string,
  options: {
    batch: number;
    steps: number;
    /** Models to time (default all: mlp, resnet18 w0.25, resnet50 w0.25, resnet50 w1). */
    models?: readonly string[];
    /** Train the paper preset's model for one epoch through the run store (default true). */
    paperRun?: boolean;
    log?: (line: string) => void;
  },
): Promise<DeviceResult[]> {
  const { batch, steps } = options;
  const name = await initBackend({ backend, quiet: true });
  const out: DeviceResult[] = [];
  const probe = name === "webgpu" ? await probeWebGpu() : null;
  out.push({ name: "device", backend: name, note: probe?.description ?? `TensorFlow.js backend ${name}` });
  const models: [string, () => Network][] = [
    ["mlp", () => buildMlp({ inputShape: [784], numClasses: 10, width: 512, depth: 2, seed: 0 })],
    ["resnet18 w0.25", () => buildResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 0.25, seed: 0 })],
    ["resnet50 w0.25", () => buildResNet50({ inputShape: [32, 32, 3], numClasses: 10, width: 0.25, seed: 0 })],
    ["resnet50 w1", () => buildResNet50({ inputShape: [32, 32, 3], numClasses: 10, width: 1, seed: 0 })],
  ];
  const unknown = (options.models ?? []).filter((m) => !models.some(([name]) => name === m));
  if (unknown.length) {
    throw new Error(`unknown model ${unknown.join(", ")}; choose from ${models.map(([m]) => m).join(", ")}`);
  }
  for (const [model, build] of models.filter(([m]) => !options.models || options.models.includes(m))) {
    const net = build();
    out.push({
      name: model,
      backend: name,
      variant: `batch ${batch}`,
      samples_per_s: await trainThroughput(net, batch, steps, 1, SGD),
    });
    net.model.dispose();
    options.log?.(`[bench] ${model} done`);
  }
  if (options.paperRun === false) return out;
  const scratch = mkdtempSync(join(tmpdir(), "nc-device-bench-"));
  try {
    const data = join(scratch, "cifar-10-batches-bin");
    // At least two batches of training images, and every class in the training split.
    writeSyntheticCifar10(data, Math.max(10, Math.ceil((2 * batch) / 5)), Math.max(10, batch));
    const [first] = expandGrid(figureGrid("heatmaps", "paper"));
    // The recipe's label follows from the settings: with another batch size it is "custom".
    const { recipe: _, ...settings } = first;
    const config = { ...settings, epochs: 1, batchSize: batch, evalEpochs: [1] };
    const start = performance.now();
    const run = await runTraining(config, { runsDir: join(scratch, "runs"), dataDir: data, log: () => {} });
    out.push({
      name: "paper run",
      backend: name,
      variant: `${first.model} width ${first.width}, recipe ${run.config.recipe}, 1 epoch, synthetic CIFAR-10 images`,
      seconds: (performance.now() - start) / 1000,
      note: `${run.status.state}, test accuracy ${(100 * (run.rows.at(-1)?.testAccuracy ?? NaN)).toFixed(1)} %`,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}
