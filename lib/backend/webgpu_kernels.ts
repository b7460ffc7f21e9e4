/**
 * Kernel fixes for TensorFlow.js's webgpu backend.
 *
 * - `AddN` with more than seven inputs returns the sum of the first seven only (seen on Mesa's
 *   llvmpipe adapter under Deno: a device has 8 storage buffers per shader stage by default, and
 *   the backend binds one per input plus the output). The optimizer's gradient norm adds one term
 *   per parameter tensor, so every model with more than seven was clipped wrongly. The replacement
 *   adds at most {@link ADD_N_CHUNK} inputs per call and sums the partial sums the same way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HeapBackend, KernelConfig, KernelFunc, TensorInfo } from "./kernel_types.ts";

/** Most inputs one webgpu `AddN` call binds. */
export const ADD_N_CHUNK = 6;

let installed = false;

function chunkedAddN(original: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as Pick<HeapBackend, "disposeData">;
    let tensors = Object.values(args.inputs) as TensorInfo[];
    const temporaries: TensorInfo[] = [];
    const add = (inputs: TensorInfo[]) => original({ ...args, inputs: inputs as never }) as TensorInfo;
    while (tensors.length > ADD_N_CHUNK) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < tensors.length; i += ADD_N_CHUNK) {
        const chunk = tensors.slice(i, i + ADD_N_CHUNK);
        if (chunk.length === 1) next.push(chunk[0]);
        else {
          const partial = add(chunk);
          temporaries.push(partial);
          next.push(partial);
        }
      }
      tensors = next;
    }
    const out = add(tensors);
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
}

/**
 * Replaces the webgpu kernels above; idempotent. Call after `@tensorflow/tfjs-backend-webgpu` is
 * imported (which registers the backend and its kernels).
 *
 * @example
 * ```ts
 * await import("@tensorflow/tfjs-backend-webgpu");
 * installWebGpuKernels();
 * ```
 */
export function installWebGpuKernels(): void {
  if (installed) return;
  const original = tf.getKernel("AddN", "webgpu") as KernelConfig | undefined;
  if (!original) throw new Error("installWebGpuKernels: the webgpu backend is not registered");
  tf.unregisterKernel("AddN", "webgpu");
  tf.registerKernel({
    ...original,
    kernelFunc: chunkedAddN(original.kernelFunc as unknown as KernelFunc) as unknown as KernelConfig["kernelFunc"],
  });
  installed = true;
}
