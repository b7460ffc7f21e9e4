/**
 * `Sum`, `Mean` and the optimizer's sum of squares with float64 accumulation, for the heap
 * backends (`wasm` and `native`), as the `cpu` reference backend accumulates.
 *
 * A float32 running sum over n terms carries an error up to about n·2⁻²⁴ of Σ|x|: the stock wasm
 * kernels measured 3e-5 relative on the 200,704 squared entries of a 784×256 gradient (the
 * clipping norm) and 8e-5 on column sums, and the OpenBLAS `sgemv` sum 3e-5; float64 accumulation
 * rounds once, at the end (6e-8). Those errors scaled every step of a clipped SGD run differently
 * from the reference and grew to 1 % of the loss within one epoch of the `cpu` NC-dynamics
 * configuration (docs/backends.md). The reductions handled here are over every axis, over the
 * leading axes (a bias gradient, batch statistics) or over the last axis (per-sample sums); other
 * axes and dtypes go to the kernel these replace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapF32, type KernelArgs, type KernelFunc, sizeOf } from "./kernel_types.ts";

/** Kernel name of the sum of squares Σ x² (a float32 scalar), which the optimizer's clipping norm uses. */
export const SUM_OF_SQUARES = "NcSumOfSquares";

type Layout = { kind: "all" | "leading" | "trailing"; rows: number; columns: number; shape: number[] };

/** How a reduction over `axis` lies in memory, or null for the layouts left to the fallback. */
function layoutOf(shape: readonly number[], axis: unknown, keepDims: boolean): Layout | null {
  const rank = shape.length;
  if (rank === 0) return null;
  const axes = tf.util.parseAxisParam(axis as number | number[], [...shape]).sort((a, b) => a - b);
  const size = sizeOf(shape);
  const kept = (reduced: (i: number) => boolean) => shape.map((d, i) => (reduced(i) ? 1 : d));
  if (axes.length === rank && axes.every((a, i) => a === i)) {
    return { kind: "all", rows: size, columns: 1, shape: keepDims ? kept(() => true) : [] };
  }
  if (rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i)) {
    const columns = shape[rank - 1];
    return {
      kind: "leading",
      rows: size / columns,
      columns,
      shape: keepDims ? kept((i) => i < rank - 1) : [columns],
    };
  }
  if (axes.length === 1 && axes[0] === rank - 1) {
    const columns = shape[rank - 1];
    return {
      kind: "trailing",
      rows: size / columns,
      columns,
      shape: keepDims ? kept((i) => i === rank - 1) : shape.slice(0, -1),
    };
  }
  return null;
}

/** Sums of `x` laid out as `layout`, accumulated in float64, scaled by `scale`, into `out`. */
function reduce(x: Float32Array, layout: Layout, scale: number, out: Float32Array): void {
  const { kind, rows, columns } = layout;
  if (kind === "all") {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    out[0] = s * scale;
  } else if (kind === "leading") {
    const acc = new Float64Array(columns);
    for (let r = 0, at = 0; r < rows; r++) for (let c = 0; c < columns; c++) acc[c] += x[at++];
    for (let c = 0; c < columns; c++) out[c] = acc[c] * scale;
  } else {
    for (let r = 0, at = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < columns; c++) s += x[at++];
      out[r] = s * scale;
    }
  }
}

function reduction(mean: boolean, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return fallback(args);
    const layout = layoutOf(x.shape, attrs.axis, attrs.keepDims === true);
    if (!layout) return fallback(args);
    const out = backend.makeOutput(layout.shape, "float32");
    const count = layout.kind === "trailing" ? layout.columns : layout.rows;
    // Views after the allocation: it may have grown (and detached) the heap.
    reduce(heapF32(backend, x), layout, mean ? 1 / count : 1, heapF32(backend, out));
    return out;
  };
}

/**
 * The `Sum` kernel function with float64 accumulation; `fallback` takes the other layouts.
 *
 * @example
 * ```ts ignore (a kernel function, registered by the backends)
 * tf.registerKernel({ kernelName: "Sum", backendName: "wasm", kernelFunc: float64Sum(stockSum) });
 * ```
 */
export function float64Sum(fallback: KernelFunc): KernelFunc {
  return reduction(false, fallback);
}

/** The `Mean` kernel function with float64 accumulation; `fallback` takes the other layouts. */
export function float64Mean(fallback: KernelFunc): KernelFunc {
  return reduction(true, fallback);
}

/** The {@link SUM_OF_SQUARES} kernel function: Σ x² accumulated in float64, a float32 scalar. */
export function float64SumOfSquares(): KernelFunc {
  return ({ inputs, backend }: KernelArgs) => {
    const out = backend.makeOutput([], "float32");
    const x = heapF32(backend, inputs.x!);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    heapF32(backend, out)[0] = s;
    return out;
  };
}
