/**
 * Kernel additions for the TensorFlow.js wasm backend.
 *
 * - `BatchMatMul` and `_FusedMatMul` without the slow transposed path (below);
 * - `Sum` and `Mean` accumulated in float64 as on the `cpu` backend, and the optimizer's sum of
 *   squares (`float64_reductions.ts`): the stock kernels accumulate in float32;
 * - batch normalisation in training mode and its gradient as two kernels accumulating in float64
 *   (`float64_batch_norm.ts`), instead of a dozen TensorFlow.js operations;
 * - `Conv2DBackpropFilter`, missing from stock wasm (`wasm_conv_filter_grad.ts`).
 *
 * The stock wasm `BatchMatMul` (and `_FusedMatMul`) run about 20× slower with `transposeA` or
 * `transposeB` than an explicit transpose followed by a plain product, and the backward pass of
 * every dense layer uses the transposed forms. These wrappers transpose explicitly with the wasm
 * `Transpose` kernel and call the stock product without transposes; results are identical up to
 * float32 summation order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./wasm_conv_filter_grad.ts";
import { float64Mean, float64Sum, float64SumOfSquares, SUM_OF_SQUARES } from "./float64_reductions.ts";
import type { KernelFunc } from "./kernel_types.ts";
import { float64BatchNormTraining, float64BatchNormTrainingGrad } from "./float64_batch_norm.ts";
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from "./native_batch_norm.ts";

type KernelConfig = ReturnType<typeof tf.getKernel> & object;
type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Backend = { disposeData(dataId: object): void };

const originals = new Map<string, KernelConfig>();
const added: string[] = [];

/** Moves the last two axes of a tensor with the wasm Transpose kernel. */
function transposeLastTwo(x: TensorInfo, backend: Backend, transpose: KernelConfig): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as TensorInfo;
}

function withoutTransposes(
  name: "BatchMatMul" | "_FusedMatMul",
  original: KernelConfig,
  transpose: KernelConfig,
): KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as {
        inputs: Record<string, TensorInfo>;
        backend: Backend;
        attrs: Record<string, unknown>;
      };
      if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
      const temporary: TensorInfo[] = [];
      const a = attrs.transposeA ? transposeLastTwo(inputs.a, backend, transpose) : inputs.a;
      const b = attrs.transposeB ? transposeLastTwo(inputs.b, backend, transpose) : inputs.b;
      if (a !== inputs.a) temporary.push(a);
      if (b !== inputs.b) temporary.push(b);
      try {
        return original.kernelFunc(
          {
            ...args,
            inputs: { ...inputs, a, b },
            attrs: { ...attrs, transposeA: false, transposeB: false },
          } as typeof args,
        );
      } finally {
        for (const t of temporary) backend.disposeData(t.dataId);
      }
    },
    kernelName: name,
  };
}

/**
 * Replaces the wasm matrix-product kernels by transpose-free wrappers; idempotent. Call after the
 * wasm backend is registered (importing `@tensorflow/tfjs-backend-wasm` does that).
 *
 * @example
 * ```ts
 * installWasmKernels();
 * await tf.setBackend("wasm");
 * ```
 */
export function installWasmKernels(): void {
  if (originals.size > 0) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!transpose) throw new Error("installWasmKernels: the wasm backend is not registered");
  for (const name of ["BatchMatMul", "_FusedMatMul"] as const) {
    const original = tf.getKernel(name, "wasm");
    if (!original) continue;
    originals.set(name, original);
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(withoutTransposes(name, original, transpose));
  }
  for (const [name, build] of [["Sum", float64Sum], ["Mean", float64Mean]] as const) {
    const original = tf.getKernel(name, "wasm")!;
    originals.set(name, original);
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ ...original, kernelFunc: build(original.kernelFunc as unknown as KernelFunc) as never });
  }
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel(conv2DBackpropFilterConfig as never);
    added.push("Conv2DBackpropFilter");
  }
  const own: [string, KernelFunc][] = [
    [SUM_OF_SQUARES, float64SumOfSquares()],
    [BATCH_NORM_TRAINING, float64BatchNormTraining()],
    [BATCH_NORM_TRAINING_GRAD, float64BatchNormTrainingGrad()],
  ];
  for (const [kernelName, kernelFunc] of own) {
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as never });
    added.push(kernelName);
  }
}

/** Restores the stock kernels (for baselines and tests); idempotent. */
export function uninstallWasmKernels(): void {
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(original);
  }
  originals.clear();
  for (const name of added.splice(0)) tf.unregisterKernel(name, "wasm");
}

/** Whether the project's wasm kernels are installed. */
export function wasmKernelsInstalled(): boolean {
  return originals.size > 0;
}
