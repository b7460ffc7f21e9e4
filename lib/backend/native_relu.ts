/**
 * ReLU of the `native` backend on oneDNN's element-wise primitives (multi-threaded, in place on
 * the wasm heap): the `Relu` kernel, and `NcReluGrad` (dy, x) → dy·[x > 0], which the `Relu`
 * gradient uses on backends that register it. TensorFlow.js's own gradient computes the same
 * product in three kernels (step, cast, multiply); the results are equal, except where x is NaN
 * (oneDNN's ReLU gives 0, TensorFlow.js's NaN). Below {@link RELU_LOOP_ENTRIES} entries with
 * several threads, both run as a loop on the calling thread instead (the same values; NaN kept,
 * as TensorFlow.js keeps it).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DNNL, Dnnl, PrimitiveCache, type PrimitiveHandles } from "./dnnl.ts";
import { heapF32, type KernelArgs, type KernelFunc, sizeOf } from "./kernel_types.ts";
import { nativeThreads } from "./native_libraries.ts";

/** Kernel name of the ReLU gradient. */
export const RELU_GRAD = "NcReluGrad";

type Pointer = Deno.PointerValue;

interface Plan {
  forward: Pointer;
  backward: Pointer;
  memories: Record<"src" | "dst" | "diffDst" | "diffSrc", Pointer>;
  handles: PrimitiveHandles;
}

/** ReLU primitives by element count (the data is described as a flat vector). */
export class ReluPlans {
  readonly #plans: PrimitiveCache<Plan>;

  constructor(readonly dnnl: Dnnl, limit = 128) {
    this.#plans = new PrimitiveCache(dnnl, limit);
  }

  plan(size: number): Plan {
    return this.#plans.get(String(size), () => {
      const d = this.dnnl, f = d.libraries.dnnl;
      const data = d.memoryDesc([size], DNNL.tag.a);
      const forwardOp = d.opDesc(), backwardOp = d.opDesc();
      if (
        f.dnnl_eltwise_forward_desc_init(forwardOp, DNNL.prop.forwardTraining, DNNL.eltwiseRelu, data, 0, 0) ||
        f.dnnl_eltwise_backward_desc_init(backwardOp, DNNL.eltwiseRelu, data, data, 0, 0)
      ) throw new Error(`oneDNN rejected a ReLU of ${size} elements`);
      const forwardPd = d.primitiveDesc(forwardOp, "creating a ReLU");
      const backwardPd = d.primitiveDesc(backwardOp, "creating a ReLU gradient", forwardPd);
      const forward = d.primitive(forwardPd), backward = d.primitive(backwardPd);
      const memories = { src: d.memory(data), dst: d.memory(data), diffDst: d.memory(data), diffSrc: d.memory(data) };
      return {
        forward,
        backward,
        memories,
        handles: { primitives: [forward, backward], descs: [forwardPd, backwardPd], memories: Object.values(memories) },
      };
    });
  }
}

/**
 * Entries below which ReLU and its gradient run as a loop on the calling thread when the libraries
 * have several threads: waking oneDNN's threads for an MLP's 128×512 activation took longer than
 * the work (0.3 ms a call on two threads here, against about 0.07 in the loop). With one thread
 * oneDNN's vector kernels run on the calling thread and always win.
 */
export const RELU_LOOP_ENTRIES = 1 << 17;

/**
 * Whether a ReLU of this shape runs in the loop. The size is one run's (a pack's activation is
 * [P, rows, units]), so that a run takes the same path, and gets the same NaN handling, alone and
 * in a pack.
 */
function inLoop(shape: readonly number[]): boolean {
  const perRun = shape.length === 3 ? sizeOf(shape) / shape[0] : sizeOf(shape);
  return perRun < RELU_LOOP_ENTRIES && nativeThreads() > 1;
}

/** The `Relu` kernel function. */
export function nativeRelu(plans: ReluPlans, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x!, backend = args.backend;
    if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return fallback(args);
    const y = backend.makeOutput(x.shape, "float32");
    if (inLoop(x.shape)) {
      const xs = heapF32(backend, x), ys = heapF32(backend, y);
      // Branch-free: v for v > 0, +0 for v ≤ 0, NaN kept (NaN·0), as TensorFlow.js's ReLU.
      for (let i = 0; i < xs.length; i++) ys[i] = xs[i] * +(xs[i] > 0) + 0;
      return y;
    }
    const plan = plans.plan(sizeOf(x.shape));
    plans.dnnl.execute(plan.forward, [
      [DNNL.arg.src, plan.memories.src, heapF32(backend, x)],
      [DNNL.arg.dst, plan.memories.dst, heapF32(backend, y)],
    ]);
    return y;
  };
}

/** The `NcReluGrad` kernel function. */
export function nativeReluGrad(plans: ReluPlans): KernelFunc {
  return ({ inputs, backend }: KernelArgs) => {
    const { dy, x } = inputs;
    const dx = backend.makeOutput(x!.shape, "float32");
    if (inLoop(x!.shape)) {
      const xs = heapF32(backend, x!), dys = heapF32(backend, dy!), dxs = heapF32(backend, dx);
      // dy where x > 0, +0 elsewhere (where x is NaN too), as oneDNN's gradient.
      for (let i = 0; i < xs.length; i++) dxs[i] = dys[i] * +(xs[i] > 0) + 0;
      return dx;
    }
    const plan = plans.plan(sizeOf(x!.shape));
    plans.dnnl.execute(plan.backward, [
      [DNNL.arg.src, plan.memories.src, heapF32(backend, x!)],
      [DNNL.arg.diffDst, plan.memories.diffDst, heapF32(backend, dy!)],
      [DNNL.arg.diffSrc, plan.memories.diffSrc, heapF32(backend, dx)],
    ]);
    return dx;
  };
}

let gradientInstalled = false;

/**
 * Replaces the `Relu` gradient by one that runs `NcReluGrad` where the active backend has it and
 * TensorFlow.js's own gradient everywhere else; idempotent.
 */
export function installReluGradient(): void {
  if (gradientInstalled) return;
  const original = tf.getGradient("Relu");
  if (!original) throw new Error("TensorFlow.js has no Relu gradient to extend");
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      if (x.dtype !== "float32" || tf.getKernel(RELU_GRAD, tf.getBackend()) === undefined || x.size === 0) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  });
  gradientInstalled = true;
}
