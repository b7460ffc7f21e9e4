/**
 * Batch normalisation in training mode on the heap backends with float64 accumulation: the
 * `NcBatchNormTraining` and `NcBatchNormTrainingGrad` kernels (`native_batch_norm.ts` names them)
 * as loops over the wasm heap, statistics over every axis but the last (channels).
 *
 * The `wasm` backend's batch normalisation for every rank (before these it composed a dozen
 * TensorFlow.js operations); `native` runs oneDNN's JIT kernels instead (`native_batch_norm.ts`),
 * about five times faster than these loops, accumulating in float32.
 *
 * Forward: μ = Σx/N, σ² = Σ(x − μ)²/N (biased, as PyTorch normalises), y = γ(x − μ)/√(σ² + ε) + β.
 * Backward, with x̂ = (x − μ)/√(σ² + ε): dβ = Σdy, dγ = Σdy·x̂, dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N).
 *
 * A pack of G runs ([G, rows, channels] with scale, offset and the statistics [G, channels]) is
 * normalised run by run, each exactly as alone.
 *
 * @module
 */
import { float32, heapF32, type KernelArgs, type KernelFunc, sizeOf, type TensorInfo } from "./kernel_types.ts";

/** Per-channel 1/√(σ² + ε). */
function inverseStd(variance: Float32Array, epsilon: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + epsilon));
}

/**
 * How x lies: G groups (the runs of a pack: scale has G × channels entries, x is [G, rows, channels])
 * of `rows` rows each; G = 1 for one network's [rows, channels] (or any rank, channels last).
 */
export function groupsOf(x: TensorInfo, scale: TensorInfo): { channels: number; groups: number; rows: number } {
  const channels = x.shape[x.shape.length - 1];
  const groups = sizeOf(scale.shape) / channels;
  if (!Number.isInteger(groups) || groups < 1 || (groups > 1 && x.shape[0] !== groups)) {
    throw new Error(
      `batch normalisation: scale [${scale.shape}] does not match x [${x.shape}] (channels ${channels}, runs on the leading axis)`,
    );
  }
  return { channels, groups, rows: sizeOf(x.shape) / (groups * channels) };
}

/**
 * The forward kernel function: (x, scale, offset; epsilon) → y, batch mean, biased batch variance
 * (shaped as scale). Statistics are per channel over the rows of each group, accumulated in index
 * order, so each run of a pack is normalised exactly as it would be alone.
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
    const { channels, groups, rows } = groupsOf(x!, scale!);
    const y = backend.makeOutput(x!.shape, "float32");
    const meanOut = backend.makeOutput(scale!.shape, "float32");
    const varianceOut = backend.makeOutput(scale!.shape, "float32");
    // Views after the allocations: they may have grown (and detached) the heap.
    const xAll = heapF32(backend, x!), yAll = heapF32(backend, y);
    const gammaAll = heapF32(backend, scale!), betaAll = heapF32(backend, offset!);
    const meanAll = heapF32(backend, meanOut), varianceAll = heapF32(backend, varianceOut);
    const block = rows * channels;
    for (let g = 0; g < groups; g++) {
      const xs = xAll.subarray(g * block, (g + 1) * block), ys = yAll.subarray(g * block, (g + 1) * block);
      const gamma = gammaAll.subarray(g * channels, (g + 1) * channels);
      const beta = betaAll.subarray(g * channels, (g + 1) * channels);
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
      meanAll.set(mean, g * channels);
      varianceAll.set(variance, g * channels);
    }
    return [y, meanOut, varianceOut];
  };
}

/**
 * The backward kernel function: (dy, x, scale, offset, mean, variance; epsilon) → dx, dscale, doffset,
 * the exact gradient of training-mode normalisation (through the batch statistics), per group as
 * the forward pass.
 */
export function float64BatchNormTrainingGrad(): KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, x, scale, offset, mean, variance } = inputs;
    if (!float32(dy, x, scale, offset, mean, variance)) {
      throw new Error("the batch-normalisation gradient takes float32 dy, x, scale, offset, mean and variance");
    }
    const { channels, groups, rows } = groupsOf(x!, scale!);
    const dx = backend.makeOutput(x!.shape, "float32");
    const dScaleOut = backend.makeOutput(scale!.shape, "float32");
    const dShiftOut = backend.makeOutput(scale!.shape, "float32");
    const dyAll = heapF32(backend, dy!), xAll = heapF32(backend, x!), dxAll = heapF32(backend, dx);
    const gammaAll = heapF32(backend, scale!), muAll = heapF32(backend, mean!);
    const invAll = inverseStd(heapF32(backend, variance!), attrs.epsilon as number);
    const dScaleAll = heapF32(backend, dScaleOut), dShiftAll = heapF32(backend, dShiftOut);
    const block = rows * channels;
    for (let g = 0; g < groups; g++) {
      const part = (t: Float32Array) => t.subarray(g * block, (g + 1) * block);
      const dys = part(dyAll), xs = part(xAll), dxs = part(dxAll);
      const channel = <T extends Float32Array | Float64Array>(t: T) =>
        t.subarray(g * channels, (g + 1) * channels) as T;
      const gamma = channel(gammaAll), mu = channel(muAll), inv = channel(invAll);
      const dBeta = new Float64Array(channels), dGamma = new Float64Array(channels);
      for (let r = 0, at = 0; r < rows; r++) {
        for (let c = 0; c < channels; c++, at++) {
          dBeta[c] += dys[at];
          dGamma[c] += dys[at] * (xs[at] - mu[c]) * inv[c];
        }
      }
      // dx = γ/σ · (dy − dβ/N − x̂·dγ/N), with the per-channel factors taken out of the loop.
      const scale = new Float64Array(channels), shift = new Float64Array(channels), slope = new Float64Array(channels);
      for (let c = 0; c < channels; c++) {
        scale[c] = gamma[c] * inv[c];
        shift[c] = dBeta[c] / rows;
        slope[c] = dGamma[c] / rows;
      }
      for (let r = 0, at = 0; r < rows; r++) {
        for (let c = 0; c < channels; c++, at++) {
          dxs[at] = scale[c] * (dys[at] - shift[c] - (xs[at] - mu[c]) * inv[c] * slope[c]);
        }
      }
      dScaleAll.set(dGamma, g * channels);
      dShiftAll.set(dBeta, g * channels);
    }
    return [dx, dScaleOut, dShiftOut];
  };
}
