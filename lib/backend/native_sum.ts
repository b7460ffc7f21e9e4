/**
 * `Sum` of the `native` backend over the leading axes (every axis but the last: a bias gradient,
 * batch statistics) or over every axis, as one OpenBLAS `sgemv` against a vector of ones: a
 * multi-threaded pass where the wasm kernel transposes first and then sums on one thread. Other
 * axes and dtypes go to the wasm kernel. Accumulation is float32, as there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapF32, type KernelArgs, type KernelFunc, sizeOf } from "./kernel_types.ts";
import type { NativeLibraries } from "./native_libraries.ts";

const ROW_MAJOR = 101, TRANS = 112;

/** The `Sum` kernel function. */
export function nativeSum(libraries: NativeLibraries, fallback: KernelFunc): KernelFunc {
  const { cblas_sgemv } = libraries.blas;
  let ones = new Float32Array(0);
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const rank = x.shape.length;
    if (x.dtype !== "float32" || rank === 0 || sizeOf(x.shape) === 0) return fallback(args);
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const all = axes.length === rank && axes.every((a, i) => a === i);
    const leading = !all && rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!all && !leading) return fallback(args);
    const columns = all ? 1 : x.shape[rank - 1];
    const rows = sizeOf(x.shape) / columns;
    const kept = attrs.keepDims === true;
    const shape = all
      ? (kept ? x.shape.map(() => 1) : [])
      : kept
      ? [...x.shape.slice(0, -1).map(() => 1), columns]
      : [columns];
    if (ones.length < rows) ones = new Float32Array(rows).fill(1);
    const out = backend.makeOutput(shape, "float32");
    cblas_sgemv(ROW_MAJOR, TRANS, rows, columns, 1, heapF32(backend, x), columns, ones, 1, 0, heapF32(backend, out), 1);
    return out;
  };
}
