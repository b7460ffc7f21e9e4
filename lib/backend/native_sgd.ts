/**
 * The optimizer's arithmetic on OpenBLAS level-1 routines, for the `native` backend:
 *
 * - `NcSgdUpdate` (p, v, g, coefficient; momentum, weightDecay, lr) → (p', v'):
 *
 *     v' = μ·v + c·g + λ·p,  p' = p − lr·v'
 *
 *   as copies followed by `sscal`/`saxpy` on the new buffers (inputs are never written: tensors
 *   may share memory), instead of eight element-wise kernels per parameter;
 * - `NcSumOfSquares` (x) → Σ x², one `sdot`, for the gradient norm.
 *
 * The operations are the same as `lib/training/optimizer.ts` runs on other backends, in another
 * association (μ·v + c·g first, then + λ·p) and with fused multiply-adds: results agree to a few
 * float32 ulps.
 *
 * @module
 */
import { heapF32, type KernelArgs, type KernelFunc } from "./kernel_types.ts";
import type { NativeLibraries } from "./native_libraries.ts";

/** Kernel name of the fused update. */
export const SGD_UPDATE = "NcSgdUpdate";
/** Kernel name of the sum of squares. */
export const SUM_OF_SQUARES = "NcSumOfSquares";

/** The `NcSgdUpdate` kernel function. */
export function nativeSgdUpdate(libraries: NativeLibraries): KernelFunc {
  const { cblas_sscal, cblas_saxpy } = libraries.blas;
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { p, v, g, coefficient } = inputs;
    const momentum = attrs.momentum as number, weightDecay = attrs.weightDecay as number, lr = attrs.lr as number;
    const pOut = backend.makeOutput(p!.shape, "float32");
    const vOut = backend.makeOutput(p!.shape, "float32");
    const pv = heapF32(backend, p!), gv = heapF32(backend, g!);
    const pn = heapF32(backend, pOut), vn = heapF32(backend, vOut);
    const c = heapF32(backend, coefficient!)[0];
    const n = pv.length;
    vn.set(heapF32(backend, v!));
    cblas_sscal(n, momentum, vn, 1);
    cblas_saxpy(n, c, gv, 1, vn, 1);
    cblas_saxpy(n, weightDecay, pv, 1, vn, 1);
    pn.set(pv);
    cblas_saxpy(n, -lr, vn, 1, pn, 1);
    return [pOut, vOut];
  };
}

/** The `NcSumOfSquares` kernel function: a float32 scalar. */
export function nativeSumOfSquares(libraries: NativeLibraries): KernelFunc {
  const { cblas_sdot } = libraries.blas;
  return ({ inputs, backend }: KernelArgs) => {
    const out = backend.makeOutput([], "float32");
    const x = heapF32(backend, inputs.x!);
    heapF32(backend, out)[0] = x.length === 0 ? 0 : cblas_sdot(x.length, x, 1, x, 1);
    return out;
  };
}
