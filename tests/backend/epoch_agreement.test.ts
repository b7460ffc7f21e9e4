/**
 * The backends against an independent float64 computation over one epoch (16 steps) of the `cpu`
 * NC-dynamics configuration — MLP 784-256-256-256-10 with batch norm, batch 128, lr 0.1, momentum
 * 0.9, weight decay 2e-3, clipping at norm 2 — for every loss (docs/backends.md, "Agreement").
 *
 * Two checks per backend and loss:
 *
 * - **Free run**: each step's loss within 1e-6 (relative) of float64, up to the first step where a
 *   ReLU input lies within the backend's float32 error of zero. There float32 may take the other
 *   branch of the ReLU than float64 does, and the trajectories part for a reason that is not a bug:
 *   NumPy in float32 parts from NumPy in float64 in the same step of the label-smoothing run. The
 *   float32 error of ReLU inputs near zero, measured against this reference, is 7e-7 on cpu (whose
 *   products accumulate in float64) and up to 4e-6 on native and wasm (float32 accumulation, as
 *   PyTorch's): margins of 1.5e-6 and 5e-6 (webgpu parts where wasm does, and gets wasm's margin).
 * - **Teacher-forced**: every step of the epoch from the float64 state (rounded to float32), then the
 *   next batch's loss within 1.5e-5 of float64. One step cannot compound errors; a ReLU whose input
 *   lies within rounding of zero moves the next loss by at most 7e-6 here (measured on the steps
 *   after such inputs, on every backend), float32 arithmetic by about 2e-7.
 *
 * With the stock float32 reductions the free run fails on wasm for every loss (4e-6 to 3e-5 within
 * the first steps); webgpu runs on the software adapter (Mesa's llvmpipe), as in webgpu.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { initBackend } from "../../lib/backend/backend.ts";
import { lossTensor } from "../../lib/core/loss_tensors.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { figureGrid } from "../../lib/experiments/figure_presets.ts";
import { forward, trainableVariables } from "../../lib/models/network.ts";
import type { TrainConfig } from "../../lib/training/config.ts";
import { prepareData, type PreparedData, Trainer } from "../../lib/training/train.ts";
import { type ReferenceState, referenceStep } from "./reference_mlp.ts";

type Batch = { inputs: Float32Array; labels: Int32Array };
type Backend = "cpu" | "native" | "wasm" | "webgpu";

const NC_DYNAMICS = figureGrid("nc_dynamics", "cpu");
/** The NC-dynamics configuration of each loss at its first seed (one run per loss: every loss starts from its weights). */
const CONFIGS = expandGrid({ ...NC_DYNAMICS, seeds: NC_DYNAMICS.seeds.slice(0, 1) })
  .map((c) => ({ ...c, layerMetrics: false }));
/** Float32 error of ReLU inputs near zero on each backend, with a margin (see above). */
const RELU_MARGIN: Record<Backend, number> = { cpu: 1.5e-6, native: 5e-6, wasm: 5e-6, webgpu: 5e-6 };

interface Reference {
  losses: number[];
  margins: number[];
  /** The float64 state before each step, rounded to float32: parameters, then velocities. */
  states: Float32Array[][];
}

let data: PreparedData;
let batches: Batch[];
const references = new Map<string, Reference>();

beforeAll(async () => {
  await initBackend({ backend: "cpu", quiet: true });
  data = prepareData(CONFIGS[0]);
  const trainer = new Trainer(CONFIGS[0], data);
  batches = [...trainer.epochBatches(1)];
  const initial = trainableVariables(trainer.net).map((v) => ({ shape: v.shape, values: v.dataSync() }));
  trainer.dispose();
  for (const config of CONFIGS) {
    // Every loss starts from the same weights (the seed fixes them) and sees the same batches.
    const state: ReferenceState = {
      params: initial.map((w) => Float64Array.from(w.values)),
      shapes: initial.map((w) => w.shape),
      velocity: initial.map((w) => new Float64Array(w.values.length)),
    };
    const recipe = { lr: 0.1, momentum: config.momentum, weightDecay: config.weightDecay, clipNorm: config.clipNorm };
    const reference: Reference = { losses: [], margins: [], states: [] };
    for (const batch of batches) {
      reference.states.push([...state.params, ...state.velocity].map((p) => Float32Array.from(p)));
      const { loss, margin } = referenceStep(state, batch, config.loss, recipe);
      reference.losses.push(loss);
      reference.margins.push(margin);
    }
    references.set(config.loss.name, reference);
  }
}, 120_000);

afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

/** A scalar's value, read asynchronously (webgpu cannot read synchronously under Deno); the tensor is disposed. */
async function read(t: tf.Tensor): Promise<number> {
  const [value] = await t.data();
  t.dispose();
  return value;
}

function batchLoss(trainer: Trainer, config: TrainConfig, batch: Batch): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor(batch.inputs, [batch.labels.length, ...trainer.net.inputShape]);
    const y = tf.tensor1d(batch.labels, "int32");
    const { logits } = forward(trainer.net, x, { training: true });
    return lossTensor(config.loss, logits, y, { reduction: config.reduction });
  });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(["cpu", "native", "wasm", "webgpu"] as const)("one epoch on %s against float64", (backend) => {
  const saved = process.env.NC_WEBGPU_SOFTWARE;
  beforeAll(() => void (process.env.NC_WEBGPU_SOFTWARE = "1"));
  afterAll(() => {
    if (saved === undefined) delete process.env.NC_WEBGPU_SOFTWARE;
    else process.env.NC_WEBGPU_SOFTWARE = saved;
  });

  test.each(CONFIGS.map((c) => [c.loss.name, c] as const))("%s", async (_, config) => {
    await initBackend({ backend, quiet: true, threads: 2 });
    const reference = references.get(config.loss.name)!;
    const lr = 0.1;

    // Free run, up to the first step with a ReLU input within float32 error of zero (inclusive: its
    // loss is computed before that ReLU's gradient is used).
    const trainer = new Trainer(config, data);
    expect(trainer.learningRate(1)).toBe(lr);
    const free: number[] = [];
    for (const batch of batches) free.push(await read(trainer.trainStep(batch, lr)));
    const cut = reference.margins.findIndex((m) => m < RELU_MARGIN[backend]) + 1 || batches.length;
    const freeErrors = free.slice(0, cut).map((loss, i) => relative(loss, reference.losses[i]));
    expect(Math.max(...freeErrors), `steps 1–${cut}: ${freeErrors.map((e) => e.toExponential(0))}`).toBeLessThan(1e-6);

    // Teacher-forced: every step from the float64 state, then the next batch's loss.
    const variables = [...trainableVariables(trainer.net), ...trainer.sgd.velocity];
    const forcedErrors: number[] = [];
    for (let s = 0; s + 1 < batches.length; s++) {
      tf.tidy(() => variables.forEach((v, k) => v.assign(tf.tensor(reference.states[s][k], v.shape))));
      trainer.trainStep(batches[s], lr).dispose();
      forcedErrors.push(relative(await read(batchLoss(trainer, config, batches[s + 1])), reference.losses[s + 1]));
    }
    trainer.dispose();
    expect(Math.max(...forcedErrors), `steps 2–16: ${forcedErrors.map((e) => e.toExponential(0))}`).toBeLessThan(
      1.5e-5,
    );
    // The free run is checked over at least the first update.
    expect(cut).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
