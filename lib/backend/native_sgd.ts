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
 * - `NcSumOfSquares` (x; groups) → Σ x² (one sum per group when `groups` is set), `sdot` over chunks
 *   of 4,096 entries added in float64, for the gradient norm (`float64_reductions.ts` names it and
 *   gives the other heap backends theirs).
 *
 * The operations are the same as `lib/training/optimizer.ts` runs on other backends, in another
 * association (μ·v + c·g first, then + λ·p) and with fused multiply-adds: results agree to a few
 * float32 ulps.
 *
 * @module
 */
import { type HeapBackend, heapF32, type KernelArgs, type KernelFunc, type TensorInfo } from "./kernel_types.ts";
import type { NativeLibraries } from "./native_libraries.ts";
import { groupSize, squareGroups } from "./float64_reductions.ts";

/** Kernel name of the fused update. */
export const SGD_UPDATE = "NcSgdUpdate";

/**
 * The `NcSgdUpdate` kernel function. The hyper-parameters are numbers, or arrays of G numbers for
 * a pack of G runs: p and v are then read as G equal consecutive parts (one per run, the leading
 * axis), each updated with its run's momentum, weight decay, learning rate and clipping
 * coefficient (`coefficient` has G entries), as that run alone would be.
 */
export function nativeSgdUpdate(libraries: NativeLibraries): KernelFunc {
  const { cblas_sscal, cblas_saxpy } = libraries.blas;
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { p, v, g, coefficient } = inputs;
    const [momentum, weightDecay, lr] = sgdHyperParameters(attrs);
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
    const gAll = heapF32(backend, g!), pAll = heapF32(backend, pOut), vAll = heapF32(backend, vOut);
    const c = heapF32(backend, coefficient!);
    const groups = momentum.length, n = pAll.length / groups;
    if (!Number.isInteger(n) || c.length !== groups || gAll.length !== pAll.length || vAll.length !== pAll.length) {
      throw new Error(
        `${SGD_UPDATE}: ${groups} runs need p, v and g of one size divisible by ${groups} and ${groups} coefficients, got ${pAll.length}, ${vAll.length}, ${gAll.length} entries and ${c.length}`,
      );
    }
    for (let r = 0; r < groups; r++) {
      const part = (x: Float32Array) => x.subarray(r * n, (r + 1) * n);
      const gv = part(gAll), pn = part(pAll), vn = part(vAll);
      cblas_sscal(n, momentum[r], vn, 1);
      cblas_saxpy(n, c[r], gv, 1, vn, 1);
      cblas_saxpy(n, weightDecay[r], pn, 1, vn, 1);
      cblas_saxpy(n, -lr[r], vn, 1, pn, 1);
    }
    return [pOut, vOut];
  };
}

/** Momentum, weight decay and learning rate of {@link SGD_UPDATE}'s attributes, one entry per run. */
function sgdHyperParameters(attrs: Record<string, unknown>): [number[], number[], number[]] {
  const values = ["momentum", "weightDecay", "lr"].map((key) => {
    const value = attrs[key];
    return Array.isArray(value) ? value as number[] : [value as number];
  });
  if (values.some((v) => v.length !== values[0].length)) {
    throw new Error(`${SGD_UPDATE}: momentum, weightDecay and lr need one value per run each`);
  }
  return values as [number[], number[], number[]];
}

/** Entries per `sdot` call: its float32 accumulation stays short, the partial sums add in float64. */
const DOT_CHUNK = 4096;

/** The `NcSumOfSquares` kernel function: a float32 scalar, or one sum per group (`float64_reductions.ts`). */
export function nativeSumOfSquares(libraries: NativeLibraries): KernelFunc {
  const { cblas_sdot } = libraries.blas;
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const groups = squareGroups(attrs);
    const out = backend.makeOutput(groups === null ? [] : [groups], "float32");
    const all = heapF32(backend, inputs.x!), sums = heapF32(backend, out);
    const size = groupSize(all.length, groups);
    for (let g = 0; g < (groups ?? 1); g++) {
      const x = all.subarray(g * size, (g + 1) * size);
      let sum = 0;
      for (let at = 0; at < x.length; at += DOT_CHUNK) {
        const chunk = x.subarray(at, Math.min(x.length, at + DOT_CHUNK));
        sum += cblas_sdot(chunk.length, chunk, 1, chunk, 1);
      }
      sums[g] = sum;
    }
    return out;
  };
}
