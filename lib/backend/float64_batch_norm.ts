/**
 * Batch normalisation in training mode on the heap backends with float64 accumulation: the
 * `NcBatchNormTraining` and `NcBatchNormTrainingGrad` kernels (`native_batch_norm.ts` names them)
 * as loops over the wasm heap, statistics over every axis but the last (channels).
 *
 * For a [rows, channels] input — an MLP's — oneDNN 2.6 has only its reference implementation
 * (`ncsp_bnorm:any`): 270 µs forward and about 550 µs backward for 128×256 here, against tens of
 * microseconds for these loops, which also accumulate in float64 (oneDNN in float32). The `native`
 * backend keeps oneDNN's JIT kernels for NHWC images; `wasm` uses these for every rank (before them
 * it composed TensorFlow.js operations).
 *
 * Forward: μ = Σx/N, σ² = Σ(x − μ)²/N (biased, as PyTorch normalises), y = γ(x − μ)/√(σ² + ε) + β.
 * Backward, with x̂ = (x − μ)/√(σ² + ε): dβ = Σdy, dγ = Σdy·x̂, dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N).
 *
 * @module
 */
import { float32, heapF32, type KernelArgs, type KernelFunc } from "./kernel_types.ts";

/** Per-channel 1/√(σ² + ε). */
function inverseStd(variance: Float32Array, epsilon: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + epsilon));
}

/**
 * The forward kernel function: (x, scale, offset; epsilon) → y, batch mean, biased batch variance.
 *
 * @example
 * ```ts ignore (a kernel function, registered by the backends)
 * tf.registerKernel({ kernelName: BATCH_NORM_TRAINING, backendName: "wasm", kernelFunc: float64BatchNormTraining() });
 * ```
 */
export function float64BatchNormTraining(): KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, scale, offset } = inputs;
    if (!float32(x, scale, offset)) throw new Error("batch normalisation takes float32 x, scale and offset");
    const channels = x!.shape[x!.shape.length - 1];
    const y = backend.makeOutput(x!.shape, "float32");
    const meanOut = backend.makeOutput([channels], "float32");
    const varianceOut = backend.makeOutput([channels], "float32");
    // Views after the allocations: they may have grown (and detached) the heap.
    const xs = heapF32(backend, x!), ys = heapF32(backend, y);
    const gamma = heapF32(backend, scale!), beta = heapF32(backend, offset!);
    const rows = xs.length / channels;
    const mean = new Float64Array(channels), variance = new Float64Array(channels);
    for (let r = 0, at = 0; r < rows; r++) for (let c = 0; c < channels; c++) mean[c] += xs[at++];
    for (let c = 0; c < channels; c++) mean[c] /= rows;
    for (let r = 0, at = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, at++) {
        const d = xs[at] - mean[c];
        variance[c] += d * d;
      }
    }
    const a = new Float64Array(channels), b = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      variance[c] /= rows;
      a[c] = gamma[c] / Math.sqrt(variance[c] + (attrs.epsilon as number));
      b[c] = beta[c] - a[c] * mean[c];
    }
    for (let r = 0, at = 0; r < rows; r++) for (let c = 0; c < channels; c++, at++) ys[at] = a[c] * xs[at] + b[c];
    heapF32(backend, meanOut).set(mean);
    heapF32(backend, varianceOut).set(variance);
    return [y, meanOut, varianceOut];
  };
}

/**
 * The backward kernel function: (dy, x, scale, offset, mean, variance; epsilon) → dx, dscale, doffset,
 * the exact gradient of training-mode normalisation (through the batch statistics).
 */
export function float64BatchNormTrainingGrad(): KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, x, scale, offset, mean, variance } = inputs;
    if (!float32(dy, x, scale, offset, mean, variance)) {
      throw new Error("the batch-normalisation gradient takes float32 dy, x, scale, offset, mean and variance");
    }
    const channels = x!.shape[x!.shape.length - 1];
    const dx = backend.makeOutput(x!.shape, "float32");
    const dScaleOut = backend.makeOutput([channels], "float32");
    const dShiftOut = backend.makeOutput([channels], "float32");
    const dys = heapF32(backend, dy!), xs = heapF32(backend, x!), dxs = heapF32(backend, dx);
    const gamma = heapF32(backend, scale!), mu = heapF32(backend, mean!);
    const inv = inverseStd(heapF32(backend, variance!), attrs.epsilon as number);
    const rows = xs.length / channels;
    const dBeta = new Float64Array(channels), dGamma = new Float64Array(channels);
    for (let r = 0, at = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, at++) {
        dBeta[c] += dys[at];
        dGamma[c] += dys[at] * (xs[at] - mu[c]) * inv[c];
      }
    }
    for (let r = 0, at = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, at++) {
        const xhat = (xs[at] - mu[c]) * inv[c];
        dxs[at] = gamma[c] * inv[c] * (dys[at] - dBeta[c] / rows - xhat * dGamma[c] / rows);
      }
    }
    heapF32(backend, dScaleOut).set(dGamma);
    heapF32(backend, dShiftOut).set(dBeta);
    return [dx, dScaleOut, dShiftOut];
  };
}
