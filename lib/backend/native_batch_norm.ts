/**
 * Batch normalisation in training mode on oneDNN, for the `native` backend: two kernels of the
 * project's own, which `lib/models/batch_norm.ts` calls when the active backend has them.
 *
 * - `NcBatchNormTraining` (x, scale, offset; epsilon) → y, batch mean, biased batch variance;
 * - `NcBatchNormTrainingGrad` (dy, x, scale, offset, mean, variance; epsilon) → dx, dscale, doffset,
 *   the exact gradient of training-mode normalisation (through the batch statistics). oneDNN 2.x
 *   counts the offset among the backward pass's inputs, though the gradient does not depend on it.
 *
 * Statistics are over every axis but the last (channels). NHWC tensors are described to oneDNN as
 * they lie (`nhwc`) and run on oneDNN's threads, reading and writing the wasm heap in place. An
 * MLP's [rows, channels] is described as `rows` images of 1×1 pixels: oneDNN's JIT kernels take
 * that layout (38 µs forward, 48 backward for 128×256 here), where its [rows, channels] path is a
 * reference loop (270 µs forward). A pack's [P, rows, channels] with [P, channels] parameters is
 * normalised one run at a time, each exactly as alone. oneDNN accumulates in float32: batch
 * statistics within 2e-7 (mean, of the standard deviation) and 5e-7 (variance, relative) of
 * float64 for 128×256; one epoch of the `cpu` NC-dynamics configuration stays within 1e-7 of the
 * float64 reference until its first ReLU knife edge (`tests/backend/epoch_agreement.test.ts`).
 *
 * @module
 */
import { DNNL, Dnnl, PrimitiveCache, type PrimitiveHandles } from "./dnnl.ts";
import { float32, heapF32, type KernelArgs, type KernelFunc, sizeOf, type TensorInfo } from "./kernel_types.ts";
import { groupsOf } from "./float64_batch_norm.ts";

/** Kernel name of the forward pass. */
export const BATCH_NORM_TRAINING = "NcBatchNormTraining";
/** Kernel name of the backward pass. */
export const BATCH_NORM_TRAINING_GRAD = "NcBatchNormTrainingGrad";

type Pointer = Deno.PointerValue;

interface Plan {
  forward: Pointer;
  backward: Pointer;
  /** Memories of the data layout, one per argument (each execution binds its own data). */
  tensors: Record<"src" | "dst" | "diffSrc" | "diffDst", Pointer>;
  /** 1-D memories of the channel vectors, by argument. */
  vectors: Record<"scale" | "shift" | "mean" | "variance" | "diffScale" | "diffShift", Pointer>;
  implementation: string;
  handles: PrimitiveHandles;
}

/** Most primitive pairs kept at once. */
export const BATCH_NORM_CACHE_LIMIT = 128;

/** Batch-normalisation primitives by shape and epsilon. */
export class BatchNormPlans {
  readonly #plans: PrimitiveCache<Plan>;

  constructor(readonly dnnl: Dnnl, limit = BATCH_NORM_CACHE_LIMIT) {
    this.#plans = new PrimitiveCache(dnnl, limit);
  }

  /** Implementations chosen so far, by shape. */
  implementations(): Record<string, string> {
    return Object.fromEntries([...this.#plans.entries()].map(([key, plan]) => [key, plan.implementation]));
  }

  /** The forward and backward primitives for `shape`, built on first use. */
  plan(shape: readonly number[], epsilon: number): Plan {
    return this.#plans.get(`${shape}:${epsilon}`, () => this.#build(shape, epsilon));
  }

  #build(shape: readonly number[], epsilon: number): Plan {
    const d = this.dnnl, f = d.libraries.dnnl;
    const channels = shape[shape.length - 1];
    const data = shape.length === 4
      ? d.memoryDesc([shape[0], channels, shape[1], shape[2]], DNNL.tag.nhwc)
      : d.memoryDesc([sizeOf(shape) / channels, channels], DNNL.tag.ab);
    const flags = DNNL.flags.useScale | DNNL.flags.useShift;
    const forwardOp = d.opDesc();
    if (f.dnnl_batch_normalization_forward_desc_init(forwardOp, DNNL.prop.forwardTraining, data, epsilon, flags)) {
      throw new Error(`oneDNN rejected batch normalisation of shape [${shape}]`);
    }
    const forwardPd = d.primitiveDesc(forwardOp, "creating batch normalisation");
    const backwardOp = d.opDesc();
    if (f.dnnl_batch_normalization_backward_desc_init(backwardOp, DNNL.prop.backward, data, data, epsilon, flags)) {
      throw new Error(`oneDNN rejected the batch-normalisation gradient of shape [${shape}]`);
    }
    const backwardPd = d.primitiveDesc(backwardOp, "creating the batch-normalisation gradient", forwardPd);
    const vector = d.memoryDesc([channels], DNNL.tag.a);
    const vectors = {
      scale: d.memory(vector),
      shift: d.memory(vector),
      mean: d.memory(vector),
      variance: d.memory(vector),
      diffScale: d.memory(vector),
      diffShift: d.memory(vector),
    };
    const forward = d.primitive(forwardPd), backward = d.primitive(backwardPd);
    const tensors = { src: d.memory(data), dst: d.memory(data), diffSrc: d.memory(data), diffDst: d.memory(data) };
    return {
      forward,
      backward,
      tensors,
      vectors,
      implementation: `${d.implementation(forwardPd)} | ${d.implementation(backwardPd)}`,
      handles: {
        primitives: [forward, backward],
        descs: [forwardPd, backwardPd],
        memories: [...Object.values(tensors), ...Object.values(vectors)],
      },
    };
  }
}

/**
 * The forward kernel function, on oneDNN for every rank: NHWC images as they lie, [rows, channels]
 * (and a pack's [P, rows, channels], run by run) as rows images of 1×1 pixels.
 */
export function nativeBatchNormTraining(plans: BatchNormPlans): KernelFunc {
  return (args: KernelArgs) => oneDnnForward(plans, args);
}

/**
 * How oneDNN sees x: NHWC images as they are; [rows, channels] (or a pack's [P, rows, channels],
 * one group per run: `float64_batch_norm.ts`'s grouping) as `rows` images of 1×1 pixels, which
 * oneDNN's JIT kernels take (its [rows, channels] path is a reference loop).
 */
function layout(x: TensorInfo, scale: TensorInfo): { shape: number[]; groups: number } {
  if (x.shape.length === 4) return { shape: x.shape, groups: 1 };
  const { channels, groups, rows } = groupsOf(x, scale);
  return { shape: [rows, 1, 1, channels], groups };
}

/**
 * Runs `primitive` once per group, each argument bound to the group's part of its tensor: a block
 * of the data (`"data"`) or of the channel vectors (`"channels"`).
 */
function executePerGroup(
  plans: BatchNormPlans,
  backend: KernelArgs["backend"],
  primitive: Deno.PointerValue,
  layoutOfX: { shape: number[]; groups: number },
  args: readonly [number, Deno.PointerValue, TensorInfo, "data" | "channels"][],
): void {
  const { shape, groups } = layoutOfX;
  const sizes = { data: sizeOf(shape), channels: shape[3] };
  for (let g = 0; g < groups; g++) {
    plans.dnnl.execute(
      primitive,
      args.map(([arg, memory, t, kind]) => [
        arg,
        memory,
        heapF32(backend, t).subarray(g * sizes[kind], (g + 1) * sizes[kind]),
      ]),
    );
  }
}

function oneDnnForward(plans: BatchNormPlans, { inputs, backend, attrs }: KernelArgs) {
  const { x, scale, offset } = inputs;
  if (!float32(x, scale, offset)) throw new Error(`${BATCH_NORM_TRAINING} takes float32 x, scale and offset`);
  const view = layout(x!, scale!);
  const plan = plans.plan(view.shape, attrs.epsilon as number);
  const y = backend.makeOutput(x!.shape, "float32");
  const mean = backend.makeOutput(scale!.shape, "float32");
  const variance = backend.makeOutput(scale!.shape, "float32");
  const v = plan.vectors;
  executePerGroup(plans, backend, plan.forward, view, [
    [DNNL.arg.src, plan.tensors.src, x!, "data"],
    [DNNL.arg.dst, plan.tensors.dst, y, "data"],
    [DNNL.arg.scale, v.scale, scale!, "channels"],
    [DNNL.arg.shift, v.shift, offset!, "channels"],
    [DNNL.arg.mean, v.mean, mean, "channels"],
    [DNNL.arg.variance, v.variance, variance, "channels"],
  ]);
  return [y, mean, variance];
}

/** The backward kernel function, on oneDNN as {@link nativeBatchNormTraining}. */
export function nativeBatchNormTrainingGrad(plans: BatchNormPlans): KernelFunc {
  return (args: KernelArgs) => oneDnnBackward(plans, args);
}

function oneDnnBackward(plans: BatchNormPlans, { inputs, backend, attrs }: KernelArgs) {
  const { dy, x, scale, offset, mean, variance } = inputs;
  if (!float32(dy, x, scale, offset, mean, variance)) {
    throw new Error(`${BATCH_NORM_TRAINING_GRAD} takes float32 dy, x, scale, offset, mean and variance`);
  }
  const view = layout(x!, scale!);
  const plan = plans.plan(view.shape, attrs.epsilon as number);
  const dx = backend.makeOutput(x!.shape, "float32");
  const dScale = backend.makeOutput(scale!.shape, "float32");
  const dShift = backend.makeOutput(scale!.shape, "float32");
  const v = plan.vectors;
  executePerGroup(plans, backend, plan.backward, view, [
    [DNNL.arg.src, plan.tensors.src, x!, "data"],
    [DNNL.arg.diffDst, plan.tensors.diffDst, dy!, "data"],
    [DNNL.arg.mean, v.mean, mean!, "channels"],
    [DNNL.arg.variance, v.variance, variance!, "channels"],
    [DNNL.arg.scale, v.scale, scale!, "channels"],
    [DNNL.arg.shift, v.shift, offset!, "channels"],
    [DNNL.arg.diffSrc, plan.tensors.diffSrc, dx, "data"],
    [DNNL.arg.diffScale, v.diffScale, dScale, "channels"],
    [DNNL.arg.diffShift, v.diffShift, dShift, "channels"],
  ]);
  return [dx, dScale, dShift];
}
