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
 * they lie (`nhwc`) and run on oneDNN's threads, reading and writing the wasm heap in place; other
 * ranks go to `float64_batch_norm.ts` (oneDNN has only a reference kernel for [rows, channels]).
 *
 * @module
 */
import { DNNL, Dnnl, PrimitiveCache, type PrimitiveHandles } from "./dnnl.ts";
import { float32, heapF32, type KernelArgs, type KernelFunc, sizeOf } from "./kernel_types.ts";
import { float64BatchNormTraining, float64BatchNormTrainingGrad } from "./float64_batch_norm.ts";

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
 * The forward kernel function: oneDNN for NHWC images; other ranks ([rows, channels], where
 * oneDNN has only its reference implementation) through `float64_batch_norm.ts`.
 */
export function nativeBatchNormTraining(plans: BatchNormPlans): KernelFunc {
  const rows = float64BatchNormTraining();
  return (args: KernelArgs) => args.inputs.x?.shape.length === 4 ? oneDnnForward(plans, args) : rows(args);
}

function oneDnnForward(plans: BatchNormPlans, { inputs, backend, attrs }: KernelArgs) {
  const { x, scale, offset } = inputs;
  if (!float32(x, scale, offset)) throw new Error(`${BATCH_NORM_TRAINING} takes float32 x, scale and offset`);
  const channels = x!.shape[x!.shape.length - 1];
  const plan = plans.plan(x!.shape, attrs.epsilon as number);
  const y = backend.makeOutput(x!.shape, "float32");
  const mean = backend.makeOutput([channels], "float32");
  const variance = backend.makeOutput([channels], "float32");
  const v = plan.vectors;
  plans.dnnl.execute(plan.forward, [
    [DNNL.arg.src, plan.tensors.src, heapF32(backend, x!)],
    [DNNL.arg.dst, plan.tensors.dst, heapF32(backend, y)],
    [DNNL.arg.scale, v.scale, heapF32(backend, scale!)],
    [DNNL.arg.shift, v.shift, heapF32(backend, offset!)],
    [DNNL.arg.mean, v.mean, heapF32(backend, mean)],
    [DNNL.arg.variance, v.variance, heapF32(backend, variance)],
  ]);
  return [y, mean, variance];
}

/** The backward kernel function, on oneDNN for NHWC images as {@link nativeBatchNormTraining}. */
export function nativeBatchNormTrainingGrad(plans: BatchNormPlans): KernelFunc {
  const rows = float64BatchNormTrainingGrad();
  return (args: KernelArgs) => args.inputs.x?.shape.length === 4 ? oneDnnBackward(plans, args) : rows(args);
}

function oneDnnBackward(plans: BatchNormPlans, { inputs, backend, attrs }: KernelArgs) {
  const { dy, x, scale, offset, mean, variance } = inputs;
  if (!float32(dy, x, scale, offset, mean, variance)) {
    throw new Error(`${BATCH_NORM_TRAINING_GRAD} takes float32 dy, x, scale, offset, mean and variance`);
  }
  const channels = x!.shape[x!.shape.length - 1];
  const plan = plans.plan(x!.shape, attrs.epsilon as number);
  const dx = backend.makeOutput(x!.shape, "float32");
  const dScale = backend.makeOutput([channels], "float32");
  const dShift = backend.makeOutput([channels], "float32");
  const v = plan.vectors;
  plans.dnnl.execute(plan.backward, [
    [DNNL.arg.src, plan.tensors.src, heapF32(backend, x!)],
    [DNNL.arg.diffDst, plan.tensors.diffDst, heapF32(backend, dy!)],
    [DNNL.arg.mean, v.mean, heapF32(backend, mean!)],
    [DNNL.arg.variance, v.variance, heapF32(backend, variance!)],
    [DNNL.arg.scale, v.scale, heapF32(backend, scale!)],
    [DNNL.arg.shift, v.shift, heapF32(backend, offset!)],
    [DNNL.arg.diffSrc, plan.tensors.diffSrc, heapF32(backend, dx)],
    [DNNL.arg.diffScale, v.diffScale, heapF32(backend, dScale)],
    [DNNL.arg.diffShift, v.diffShift, heapF32(backend, dShift)],
  ]);
  return [dx, dScale, dShift];
}
