/**
 * The `native` backend: TensorFlow.js's wasm backend (a second instance, with its own heap) whose
 * heavy kernels call OpenBLAS and oneDNN through Deno FFI, reading and writing tensors in place on
 * the wasm heap.
 *
 * Every wasm kernel is registered for `native` too (the project's wasm additions included); then
 * the kernels of `NATIVE_KERNELS` replace theirs, each falling back to the wasm kernel for the
 * cases it does not cover. Thread count: {@link setNativeThreads} (`NC_THREADS`, default every core).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Dnnl } from "./dnnl.ts";
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
  BatchNormPlans,
  nativeBatchNormTraining,
  nativeBatchNormTrainingGrad,
} from "./native_batch_norm.ts";
import type { KernelArgs, KernelConfig, KernelFunc, TensorInfo } from "./kernel_types.ts";
import {
  ConvolutionPlans,
  nativeConv2D,
  nativeConv2DBackpropFilter,
  nativeConv2DBackpropInput,
} from "./native_conv.ts";
import { type NativeLibraries, openNativeLibraries } from "./native_libraries.ts";
import { nativeMatMul } from "./native_matmul.ts";
import { installReluGradient, nativeRelu, nativeReluGrad, RELU_GRAD, ReluPlans } from "./native_relu.ts";
import { nativeSgdUpdate, nativeSumOfSquares, SGD_UPDATE } from "./native_sgd.ts";
import { SUM_OF_SQUARES } from "./float64_reductions.ts";

/** The backend's registered name. */
export const NATIVE_BACKEND = "native";

/** The wasm kernels that the native backend replaces (each falls back to the wasm one for cases it does not cover). */
export const NATIVE_KERNELS = [
  "BatchMatMul",
  "_FusedMatMul",
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "Identity",
  "Relu",
] as const;

type Builder = (native: NativeRuntime, fallback: KernelFunc) => KernelFunc;

/** What the native kernels share: the libraries, oneDNN's engine and the convolution cache. */
export interface NativeRuntime {
  readonly libraries: NativeLibraries;
  readonly dnnl: Dnnl;
  readonly convolutions: ConvolutionPlans;
  readonly batchNorms: BatchNormPlans;
  readonly relus: ReluPlans;
}

const BUILDERS: Record<(typeof NATIVE_KERNELS)[number], Builder> = {
  BatchMatMul: (n, fb) => nativeMatMul(n.libraries, fb),
  _FusedMatMul: (n, fb) => nativeMatMul(n.libraries, fb),
  Conv2D: (n, fb) => nativeConv2D(n.convolutions, fb),
  FusedConv2D: (n, fb) => nativeConv2D(n.convolutions, fb),
  Conv2DBackpropInput: (n, fb) => nativeConv2DBackpropInput(n.convolutions, fb),
  Conv2DBackpropFilter: (n, fb) => nativeConv2DBackpropFilter(n.convolutions, fb),
  Identity: (_, fb) => sharedIdentity(fb),
  Relu: (n, fb) => nativeRelu(n.relus, fb),
};

/**
 * `Identity` (what `tf.clone` runs, and so every tensor a gradient saves) without a copy: the
 * output shares the input's memory and counts a reference, as the wasm `Reshape` kernel does.
 * Tensors are immutable (a variable's `assign` rebinds it to new memory), so sharing is safe.
 */
function sharedIdentity(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === "string") return fallback(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

let runtime: NativeRuntime | null = null;

/**
 * Opens the libraries and registers the `native` backend and its kernels; idempotent. Throws a
 * `NativeLibraryError` naming the Debian package when a library is missing. Call after the wasm
 * backend is registered and its kernels installed.
 *
 * @example
 * ```ts
 * registerNativeBackend();
 * await tf.setBackend("native");
 * ```
 */
export function registerNativeBackend(): NativeRuntime {
  if (runtime) return runtime;
  const libraries = openNativeLibraries();
  const dnnl = new Dnnl(libraries);
  const native: NativeRuntime = {
    libraries,
    dnnl,
    convolutions: new ConvolutionPlans(dnnl),
    batchNorms: new BatchNormPlans(dnnl),
    relus: new ReluPlans(dnnl),
  };
  const wasmFactory = tf.findBackendFactory("wasm");
  if (!wasmFactory) throw new Error("registerNativeBackend: the wasm backend is not registered");
  // Kernels of the project's own (no wasm counterpart), which lib/models and lib/training call
  // where the active backend has them.
  const own: [string, KernelFunc][] = [
    [BATCH_NORM_TRAINING, nativeBatchNormTraining(native.batchNorms)],
    [BATCH_NORM_TRAINING_GRAD, nativeBatchNormTrainingGrad(native.batchNorms)],
    [RELU_GRAD, nativeReluGrad(native.relus)],
    [SGD_UPDATE, nativeSgdUpdate(libraries)],
    [SUM_OF_SQUARES, nativeSumOfSquares(libraries)],
  ];
  for (const kernel of tf.getKernelsForBackend("wasm")) {
    const replaced = own.some(([name]) => name === kernel.kernelName);
    if (!replaced && !tf.getKernel(kernel.kernelName, NATIVE_BACKEND)) {
      tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
    }
  }
  for (const name of NATIVE_KERNELS) {
    const wasm = tf.getKernel(name, NATIVE_BACKEND) as KernelConfig | undefined;
    const fallback: KernelFunc = wasm ? (wasm.kernelFunc as unknown as KernelFunc) : (args: KernelArgs): TensorInfo => {
      throw new Error(`native kernel ${name}: no wasm kernel to fall back to (${JSON.stringify(args.attrs)})`);
    };
    if (wasm) tf.unregisterKernel(name, NATIVE_BACKEND);
    tf.registerKernel({
      kernelName: name,
      backendName: NATIVE_BACKEND,
      setupFunc: wasm?.setupFunc,
      kernelFunc: BUILDERS[name](native, fallback) as unknown as KernelConfig["kernelFunc"],
    });
  }
  for (const [kernelName, kernelFunc] of own) {
    tf.registerKernel({ kernelName, backendName: NATIVE_BACKEND, kernelFunc: kernelFunc as never });
  }
  installReluGradient();
  // A second wasm module: its own heap, so wasm and native tensors never share memory.
  tf.registerBackend(NATIVE_BACKEND, () => wasmFactory(), 1);
  runtime = native;
  return native;
}

/** The runtime, once {@link registerNativeBackend} has run. */
export function nativeRuntime(): NativeRuntime | null {
  return runtime;
}
