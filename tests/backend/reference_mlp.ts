/**
 * An independent float64 reference of the project's MLP training step, for judging the backends:
 * dense → batch normalisation (training mode, biased variance, ε = 1e-5) → ReLU per hidden layer,
 * a dense classifier, the four losses with mean reduction, and SGD in the reference code's order
 * (clip the gradient to a global norm, add weight decay, momentum). Plain loops over Float64Array,
 * no TensorFlow.js; gradients written out by hand.
 */
import type { LossSpec } from "../../lib/core/losses.ts";

/** Parameters in the order of `trainableVariables`: per hidden layer kernel, bias, γ, β; then the classifier's kernel and bias. */
export interface ReferenceState {
  params: Float64Array[];
  shapes: number[][];
  velocity: Float64Array[];
}

/** The optimizer's settings. */
export interface ReferenceRecipe {
  lr: number;
  momentum: number;
  weightDecay: number;
  clipNorm: number;
}

/** What one step measured: the batch's mean loss before the update and the smallest |pre-activation| of any ReLU. */
export interface ReferenceStep {
  loss: number;
  margin: number;
}

const EPSILON = 1e-5;

/** C (m×n) = A (m×k) · B (k×n), or with A or B read transposed. */
function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Float64Array {
  const c = new Float64Array(m * n);
  const { transposeA = false, transposeB = false } = options;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transposeA ? a[p * m + i] : a[i * k + p];
      if (aip === 0) continue;
      const row = i * n;
      if (transposeB) { for (let j = 0; j < n; j++) c[row + j] += aip * b[j * k + p]; }
      else for (let j = 0, at = p * n; j < n; j++) c[row + j] += aip * b[at + j];
    }
  }
  return c;
}

const columnSums = (x: Float64Array, rows: number, columns: number) => {
  const s = new Float64Array(columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) s[c] += x[r * columns + c];
  return s;
};

/** dℓ/dz per sample (not yet divided by the batch size) and the per-sample losses, from logits z (B×K). */
function lossAndGradient(spec: LossSpec, z: Float64Array, labels: Int32Array, K: number) {
  const B = labels.length, dz = new Float64Array(B * K), losses = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    const row = z.subarray(i * K, (i + 1) * K), y = labels[i];
    if (spec.name === "mse") {
      for (let j = 0; j < K; j++) {
        const d = row[j] - (j === y ? spec.M : 0);
        losses[i] += (d * d) / K;
        dz[i * K + j] = (2 * d) / K;
      }
      continue;
    }
    const max = Math.max(...row);
    let total = 0;
    for (let j = 0; j < K; j++) total += Math.exp(row[j] - max);
    const logP = Array.from(row, (v) => v - max - Math.log(total)), p = logP.map(Math.exp);
    if (spec.name === "ce" || spec.name === "ls") {
      const alpha = spec.name === "ls" ? spec.alpha : 0;
      for (let j = 0; j < K; j++) {
        const target = (j === y ? 1 - alpha : 0) + alpha / K;
        losses[i] -= target * logP[j];
        dz[i * K + j] = p[j] - target;
      }
    } else {
      // Focal loss −(1 − p_y)^γ log p_y, with 1 − p_y summed from the other classes.
      const gamma = spec.gamma, q = p.reduce((a, v, j) => (j === y ? a : a + v), 0);
      losses[i] = -(q ** gamma) * logP[y];
      const factor = gamma * q ** (gamma - 1) * p[y] * logP[y] - q ** gamma;
      for (let j = 0; j < K; j++) dz[i * K + j] = ((j === y ? 1 : 0) - p[j]) * factor;
    }
  }
  return { losses, dz };
}

/**
 * One training step on a batch (inputs B×d, labels), in place on `state`: returns the batch's mean
 * loss before the update and the smallest |input| of any ReLU (where a float32 computation may take
 * the other branch of the ReLU than float64 does).
 */
export function referenceStep(
  state: ReferenceState,
  batch: { inputs: Float32Array; labels: Int32Array },
  spec: LossSpec,
  recipe: ReferenceRecipe,
): ReferenceStep {
  const { params, shapes } = state;
  const B = batch.labels.length, layers = (params.length - 2) / 4;
  const activations: Float64Array[] = [Float64Array.from(batch.inputs)];
  const caches: { xhat: Float64Array; inv: Float64Array; y: Float64Array; width: number }[] = [];
  let margin = Infinity;
  for (let l = 0; l < layers; l++) {
    const [fanIn, width] = shapes[4 * l];
    const [kernel, bias, gamma, beta] = params.slice(4 * l, 4 * l + 4);
    const a = matmul(activations[l], kernel, B, fanIn, width);
    for (let r = 0; r < B; r++) for (let c = 0; c < width; c++) a[r * width + c] += bias[c];
    const mean = columnSums(a, B, width).map((s) => s / B);
    const variance = new Float64Array(width);
    for (let r = 0; r < B; r++) for (let c = 0; c < width; c++) variance[c] += (a[r * width + c] - mean[c]) ** 2 / B;
    const inv = variance.map((v) => 1 / Math.sqrt(v + EPSILON));
    const xhat = new Float64Array(B * width), y = new Float64Array(B * width), h = new Float64Array(B * width);
    for (let r = 0; r < B; r++) {
      for (let c = 0; c < width; c++) {
        const i = r * width + c;
        xhat[i] = (a[i] - mean[c]) * inv[c];
        y[i] = gamma[c] * xhat[i] + beta[c];
        margin = Math.min(margin, Math.abs(y[i]));
        h[i] = Math.max(0, y[i]);
      }
    }
    caches.push({ xhat, inv, y, width });
    activations.push(h);
  }
  const [features, K] = shapes[4 * layers];
  const z = matmul(activations[layers], params[4 * layers], B, features, K);
  for (let r = 0; r < B; r++) for (let c = 0; c < K; c++) z[r * K + c] += params[4 * layers + 1][c];
  const { losses, dz } = lossAndGradient(spec, z, batch.labels, K);
  for (let i = 0; i < dz.length; i++) dz[i] /= B;

  const grads: Float64Array[] = new Array(params.length);
  grads[4 * layers] = matmul(activations[layers], dz, features, B, K, { transposeA: true });
  grads[4 * layers + 1] = columnSums(dz, B, K);
  let dh = matmul(dz, params[4 * layers], B, K, features, { transposeB: true });
  for (let l = layers - 1; l >= 0; l--) {
    const { xhat, inv, y, width } = caches[l];
    const gamma = params[4 * l + 2], fanIn = shapes[4 * l][0];
    const dy = dh.map((v, i) => (y[i] > 0 ? v : 0));
    const dGamma = new Float64Array(width), dBeta = columnSums(dy, B, width), dxhatSum = new Float64Array(width);
    const dxhatXhat = new Float64Array(width);
    for (let r = 0; r < B; r++) {
      for (let c = 0; c < width; c++) {
        const i = r * width + c, dxhat = dy[i] * gamma[c];
        dGamma[c] += dy[i] * xhat[i];
        dxhatSum[c] += dxhat;
        dxhatXhat[c] += dxhat * xhat[i];
      }
    }
    const da = new Float64Array(B * width);
    for (let r = 0; r < B; r++) {
      for (let c = 0; c < width; c++) {
        const i = r * width + c;
        da[i] = (inv[c] / B) * (B * dy[i] * gamma[c] - dxhatSum[c] - xhat[i] * dxhatXhat[c]);
      }
    }
    grads[4 * l] = matmul(activations[l], da, fanIn, B, width, { transposeA: true });
    grads[4 * l + 1] = columnSums(da, B, width);
    grads[4 * l + 2] = dGamma;
    grads[4 * l + 3] = dBeta;
    if (l > 0) dh = matmul(da, params[4 * l], B, width, fanIn, { transposeB: true });
  }

  const norm = Math.sqrt(grads.reduce((a, g) => a + g.reduce((s, v) => s + v * v, 0), 0));
  const coefficient = recipe.clipNorm > 0 ? Math.min(1, recipe.clipNorm / (norm + 1e-6)) : 1;
  params.forEach((p, k) => {
    const v = state.velocity[k], g = grads[k];
    for (let i = 0; i < p.length; i++) {
      v[i] = recipe.momentum * v[i] + g[i] * coefficient + recipe.weightDecay * p[i];
      p[i] -= recipe.lr * v[i];
    }
  });
  return { loss: losses.reduce((a, b) => a + b, 0) / B, margin };
}
