/**
 * The optimizer's update as one kernel, `NcSgdUpdate` (p, v, g, coefficient; momentum,
 * weightDecay, lr) → (p', v'), for the `native` backend:
 *
 *   v' = μ·v + (c·g + λ·p),  p' = p − lr·v'
 *
 * one pass over each parameter instead of eight kernels. The arithmetic is float64, rounded to
 * float32 once when v' and p' are stored: at most an ulp or so from the same operations on float32
 * tensors (each rounded), which `lib/training/optimizer.ts` runs on other backends. Rounding every
 * intermediate with `Math.fround` would match them bit for bit, at 2.3× the cost of this loop.
 *
 * @module
 */
import { heapF32, type KernelArgs, type KernelFunc } from "./kernel_types.ts";

/** Kernel name of the fused update. */
export const SGD_UPDATE = "NcSgdUpdate";

/** The `NcSgdUpdate` kernel function. */
export function nativeSgdUpdate(): KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { p, v, g, coefficient } = inputs;
    // The hyper-parameters as float32 scalars, as they would be as tensors.
    const momentum = Math.fround(attrs.momentum as number);
    const weightDecay = Math.fround(attrs.weightDecay as number);
    const lr = Math.fround(attrs.lr as number);
    const pOut = backend.makeOutput(p!.shape, "float32");
    const vOut = backend.makeOutput(p!.shape, "float32");
    const pv = heapF32(backend, p!), vv = heapF32(backend, v!), gv = heapF32(backend, g!);
    const c = heapF32(backend, coefficient!)[0];
    const pn = heapF32(backend, pOut), vn = heapF32(backend, vOut);
    for (let i = 0; i < pv.length; i++) {
      const velocity = vv[i] * momentum + (gv[i] * c + pv[i] * weightDecay);
      vn[i] = velocity;
      pn[i] = pv[i] - vn[i] * lr;
    }
    return [pOut, vOut];
  };
}
