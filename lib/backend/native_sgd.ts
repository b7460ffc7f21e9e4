/**
 * The optimizer's arithmetic on OpenBLAS level-1 routines, for the `native` backend:
 *
 * - `NcSgdUpdate` (p, v, g, coefficient; momentum, weightDecay, lr) → (p', v'):
 *
 *     v' = μ·v + c·g + λ·p,  p' = p − lr·v'
 *
 *   as `sscal`/`saxpy` passes, instead of eight element-wise kernels per parameter. A parameter or
 *   velocity whose memory nothing else references (the backend's reference count is 1: no clone,
 *   reshape or saved tensor shares it) is updated in place and returned as the output; otherwise
 *   the output is a copy and the input is left as it was;
 * - `NcSumOfSquares` (x) → Σ x², `sdot` over chunks of 4,096 entries added in float64, for the gradient norm (`float64_reductions.ts` names it
 *   and gives the other heap backends theirs).
 *
 * The operations are the same as `lib/training/optimizer.ts` runs on other backends, in another
 * association (μ·v + c·g first, then + λ·p) and with fused multiply-adds: results agree to a few
 * float32 ulps.
 *
 * @module
 */
import { type HeapBackend, heapF32, type KernelArgs, type KernelFunc, type TensorInfo } from "./kernel_types.ts";
import type { NativeLibraries } from "./native_libraries.ts";

/** Kernel name of the fused update. */
export const SGD_UPDATE = "NcSgdUpdate";

/** The `NcSgdUpdate` kernel function. */
export function nativeSgdUpdate(libraries: NativeLibraries): KernelFunc {
  const { cblas_sscal, cblas_saxpy } = libraries.blas;
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { p, v, g, coefficient } = inputs;
    const momentum = attrs.momentum as number, weightDecay = attrs.weightDecay as number, lr = attrs.lr as number;
    const heap = backend as unknown as HeapBackend & { refCount(dataId: object): number; incRef(dataId: object): void };
    /** The input itself when nothing else shares its memory, else a new tensor with a copy. */
    const writable = (t: TensorInfo): TensorInfo => {
      if (heap.refCount(t.dataId) === 1) {
        heap.incRef(t.dataId);
        return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
      }
      const copy = backend.makeOutput(t.shape, "float32");
      heapF32(backend, copy).set(heapF32(backend, t));
      return copy;
    };
    const vOut = writable(v!);
    const pOut = writable(p!);
    const gv = heapF32(backend, g!), pn = heapF32(backend, pOut), vn = heapF32(backend, vOut);
    const c = heapF32(backend, coefficient!)[0];
    const n = pn.length;
    cblas_sscal(n, momentum, vn, 1);
    cblas_saxpy(n, c, gv, 1, vn, 1);
    cblas_saxpy(n, weightDecay, pn, 1, vn, 1);
    cblas_saxpy(n, -lr, vn, 1, pn, 1);
    return [pOut, vOut];
  };
}

/** Entries per `sdot` call: its float32 accumulation stays short, the partial sums add in float64. */
const DOT_CHUNK = 4096;

/** The `NcSumOfSquares` kernel function: a float32 scalar. */
export function nativeSumOfSquares(libraries: NativeLibraries): KernelFunc {
  const { cblas_sdot } = libraries.blas;
  return ({ inputs, backend }: KernelArgs) => {
    const out = backend.makeOutput([], "float32");
    const x = heapF32(backend, inputs.x!);
    let sum = 0;
    for (let at = 0; at < x.length; at += DOT_CHUNK) {
      const chunk = x.subarray(at, Math.min(x.length, at + DOT_CHUNK));
      sum += cblas_sdot(chunk.length, chunk, 1, chunk, 1);
    }
    heapF32(backend, out)[0] = sum;
    return out;
  };
}
