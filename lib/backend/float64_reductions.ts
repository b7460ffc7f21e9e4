/**
 * `Sum`, `Mean` and the optimizer's sum of squares with float64 accumulation, for the heap
 * backends (`wasm` and `native`), as the `cpu` reference backend accumulates.
 *
 * A float32 running sum over n terms carries an error up to about n·2⁻²⁴ of Σ|x|: the stock wasm
 * kernels measured 3e-5 relative on the 200,704 squared entries of a 784×256 gradient (the
 * clipping norm) and 8e-5 on column sums, and the OpenBLAS `sgemv` sum 3e-5; float64 accumulation
 * rounds once, at the end (6e-8). Those errors scaled every step of a clipped SGD run differently
 * from the reference and grew to 1 % of the loss within one epoch of the `cpu` NC-dynamics
 * configuration (docs/backends.md). The reductions handled here are over any one block of adjacent
 * axes: every axis, the leading axes (a bias gradient, batch statistics), the last axis (per-sample
 * sums), or the rows of each run of a pack ([runs, rows, channels] over axis 1); other axes and
 * dtypes go to the kernel these replace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapF32, type KernelArgs, type KernelFunc, sizeOf } from "./kernel_types.ts";

/** Kernel name of the sum of squares Σ x² (a float32 scalar), which the optimizer's clipping norm uses. */
export const SUM_OF_SQUARES = "NcSumOfSquares";

/**
 * A reduction over one contiguous block of axes: the input read as [outer, reduced, inner] and the
 * output as [outer, inner]. Every axis is (1, N, 1), the leading axes (1, N, C), the last axis
 * (R, C, 1), the middle axis of runs × rows × channels (P, B, C).
 */
type Layout = { outer: number; reduced: number; inner: number; shape: number[] };

/** How a reduction over `axis` lies in memory, or null for the layouts left to the fallback. */
function layoutOf(shape: readonly number[], axis: unknown, keepDims: boolean): Layout | null {
  const rank = shape.length;
  if (rank === 0) return null;
  const axes = tf.util.parseAxisParam(axis as number | number[], [...shape]).sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0] + i)) return null;
  const [first, last] = [axes[0], axes[axes.length - 1]];
  const reducedAxis = (i: number) => i >= first && i <= last;
  return {
    outer: sizeOf(shape.slice(0, first)),
    reduced: sizeOf(shape.slice(first, last + 1)),
    inner: sizeOf(shape.slice(last + 1)),
    shape: keepDims ? shape.map((d, i) => (reducedAxis(i) ? 1 : d)) : shape.filter((_, i) => !reducedAxis(i)),
  };
}

/**
 * Sums of `x` laid out as `layout`, accumulated in float64 in index order, scaled by `scale`, into
 * `out`. Each output's terms are added in the same order whatever the other dimensions are, so a
 * slice of runs sums as each run alone does.
 */
function reduce(x: Float32Array, layout: Layout, scale: number, out: Float32Array): void {
  const { outer, reduced, inner } = layout;
  if (inner === 1) {
    for (let o = 0, at = 0; o < outer; o++) {
      let s = 0;
      for (let r = 0; r < reduced; r++) s += x[at++];
      out[o] = s * scale;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0, at = 0; o < outer; o++) {
    acc.fill(0);
    for (let r = 0; r < reduced; r++) for (let c = 0; c < inner; c++) acc[c] += x[at++];
    for (let c = 0; c < inner; c++) out[o * inner + c] = acc[c] * scale;
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
    // Views after the allocation: it may have grown (and detached) the heap.
    reduce(heapF32(backend, x), layout, mean ? 1 / layout.reduced : 1, heapF32(backend, out));
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

/**
 * The {@link SUM_OF_SQUARES} kernel function: Σ x² accumulated in float64, a float32 scalar; with
 * the attribute `groups` = G, x is read as G equal consecutive parts (the runs of a pack) and the
 * output is their G sums.
 */
export function float64SumOfSquares(): KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const groups = squareGroups(attrs);
    const out = backend.makeOutput(groups === null ? [] : [groups], "float32");
    const x = heapF32(backend, inputs.x!), sums = heapF32(backend, out);
    const size = groupSize(x.length, groups);
    for (let g = 0; g < (groups ?? 1); g++) {
      let s = 0;
      for (let i = g * size; i < (g + 1) * size; i++) s += x[i] * x[i];
      sums[g] = s;
    }
    return out;
  };
}

/** Entries per group of `length` entries in `groups` equal parts (all of them when groups is null). */
export function groupSize(length: number, groups: number | null): number {
  if (groups !== null && length % groups !== 0) {
    throw new Error(`${SUM_OF_SQUARES}: ${length} entries do not split into ${groups} equal groups (runs)`);
  }
  return length / (groups ?? 1);
}

/** The `groups` attribute of {@link SUM_OF_SQUARES}: null (a scalar out) or a positive integer. */
export function squareGroups(attrs: Record<string, unknown> | undefined): number | null {
  const groups = attrs?.groups;
  if (groups === undefined || groups === null) return null;
  if (!Number.isInteger(groups) || (groups as number) < 1) {
    throw new Error(`${SUM_OF_SQUARES}: groups must be a positive integer, got ${groups}`);
  }
  return groups as number;
}
