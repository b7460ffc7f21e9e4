/**
 * Matrix products of the `native` backend on OpenBLAS: `BatchMatMul` and `_FusedMatMul`.
 *
 * `cblas_sgemm` reads its operands in place on the wasm heap, with its own transpose flags (no
 * transposed copies), and writes the product into the output tensor. A bias that is a row vector
 * (length N, or a scalar) is written into the output first and accumulated with β = 1; ReLU is
 * applied in place. Anything else (other activations, PReLU weights, a bias of another shape,
 * batch dimensions that broadcast other than 1 against B, empty operands, non-float32 inputs) goes
 * to the wasm kernel this one replaces.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapF32, type KernelArgs, type KernelFunc, sizeOf, type TensorInfo } from "./kernel_types.ts";
import type { NativeLibraries } from "./native_libraries.ts";

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** Bias values broadcast along the rows of an M×N product, or null when the bias is not a row vector. */
function rowBias(bias: TensorInfo | undefined, n: number): TensorInfo | null | undefined {
  if (!bias) return undefined;
  const size = sizeOf(bias.shape);
  if (bias.dtype !== "float32") return null;
  if (size === 1) return bias;
  return size === n && bias.shape[bias.shape.length - 1] === n ? bias : null;
}

/**
 * The kernel function for `BatchMatMul` and `_FusedMatMul`.
 *
 * @param fallback the kernel it replaces, for the cases above
 */
export function nativeMatMul(libraries: NativeLibraries, fallback: KernelFunc): KernelFunc {
  const { cblas_sgemm } = libraries.blas;
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const a = inputs.a!, b = inputs.b!;
    const transposeA = attrs.transposeA === true, transposeB = attrs.transposeB === true;
    const activation = (attrs.activation as string | undefined) ?? "linear";
    const ra = a.shape.length, rb = b.shape.length;
    if (a.dtype !== "float32" || b.dtype !== "float32" || ra < 2 || rb < 2) return fallback(args);
    if ((activation !== "linear" && activation !== "relu") || inputs.preluActivationWeights) return fallback(args);
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
    if (k !== kB || m * n * k === 0) return fallback(args);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return fallback(args);
    const bias = rowBias(inputs.bias, n);
    if (bias === null) return fallback(args);
    let outer: number[];
    try {
      outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    } catch {
      return fallback(args);
    }
    const batch = Math.max(batchA, batchB);
    const out = backend.makeOutput([...outer, m, n], "float32");
    // Views after the allocation: it may have grown (and detached) the heap.
    const av = heapF32(backend, a), bv = heapF32(backend, b), cv = heapF32(backend, out);
    if (bias) {
      const biasValues = heapF32(backend, bias);
      if (biasValues.length === 1) cv.fill(biasValues[0]);
      else for (let row = 0; row < batch * m; row++) cv.set(biasValues, row * n);
    }
    const lda = transposeA ? m : k, ldb = transposeB ? k : n;
    const ta = transposeA ? TRANS : NO_TRANS, tb = transposeB ? TRANS : NO_TRANS;
    const beta = bias ? 1 : 0;
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? av : av.subarray(i * m * k, (i + 1) * m * k);
      const bi = batchB === 1 ? bv : bv.subarray(i * k * n, (i + 1) * k * n);
      const ci = batch === 1 ? cv : cv.subarray(i * m * n, (i + 1) * m * n);
      cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, 1, ai, lda, bi, ldb, beta, ci, n);
    }
    if (activation === "relu") {
      // Branch-free (a compare per entry mispredicts on half of them): v for v > 0, +0 for v ≤ 0, NaN kept (NaN·0).
      for (let i = 0; i < cv.length; i++) {
        const v = cv[i];
        cv[i] = v * +(v > 0) + 0;
      }
    }
    return out;
  };
}
