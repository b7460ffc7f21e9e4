/**
 * The four losses of the paper, as specs (JSON-serialisable), a validating registry, and an exact
 * float64 evaluation of value and gradient with respect to the logits.
 *
 * Definitions (docs/method.md §1; z = logits, k = true class, p = softmax(z), K classes):
 * - `ce`:  −log p_k
 * - `fl`:  −(1 − p_k)^γ · log p_k                       (γ = `gamma`, default 3; the paper's β)
 * - `ls`:  −Σ_j [(1 − α) y_j + α/K] log p_j              (α = `alpha`, default 0.1)
 * - `mse`: (1/K) Σ_j (z_j − M·y_j)²                      (M = `M`, default 15; mean over classes)
 *
 * Reductions over a batch of B samples follow the reference code (docs/method.md §2): `mean` is
 * the mean of the per-sample losses (for MSE the mean over all B·K entries, PyTorch's
 * `F.mse_loss(z, M·onehot)`); `sum` is the sum over the batch, and for MSE over the batch *and*
 * the classes (`F.mse_loss(z, M·onehot, reduction='sum')`), i.e. K times the sum of the per-sample
 * losses. {@link reductionScale} is the one place that says so.
 *
 * Every log-probability goes through a max-shifted log-sum-exp, so logits of magnitude 1e4 give
 * finite values and gradients. The float64 path here is the reference used by the UFM solver and by
 * the tests of the tensor losses in `loss_tensors.ts`.
 *
 * @module
 */
import { LOSS, LOSS_NAMES, type LossParameter } from "./loss_registry.ts";

/** Cross-entropy. */
export interface CeSpec {
  readonly name: "ce";
}
/** Focal loss with focusing parameter `gamma` ≥ 0 (γ = 0 is CE). */
export interface FlSpec {
  readonly name: "fl";
  readonly gamma: number;
}
/** Label smoothing with smoothing `alpha` ∈ [0, 1) (α = 0 is CE). */
export interface LsSpec {
  readonly name: "ls";
  readonly alpha: number;
}
/** Mean-squared error to the target M·one-hot, averaged over the K classes; `M` > 0. */
export interface MseSpec {
  readonly name: "mse";
  readonly M: number;
}
/** A fully specified loss. */
export type LossSpec = CeSpec | FlSpec | LsSpec | MseSpec;
/** The loss names. */
export type LossName = LossSpec["name"];
/** How per-sample losses are combined over a batch. */
export type Reduction = "mean" | "sum";

/** A loss spec, a loss parameter or a loss input that is not valid. */
export class LossSpecError extends Error {
  override name = "LossSpecError";
}

/**
 * Validates a loss spec and fills in default parameters.
 *
 * Unknown names, unknown keys and out-of-range parameters (gamma < 0, alpha outside [0, 1),
 * M ≤ 0) are errors that name the offending key.
 *
 * @example
 * ```ts
 * parseLossSpec({ name: "fl" });               // { name: "fl", gamma: 3 }
 * parseLossSpec({ name: "ls", alpha: 0.05 });  // { name: "ls", alpha: 0.05 }
 * ```
 */
export function parseLossSpec(input: unknown): LossSpec {
  if (typeof input === "string") input = { name: input };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new LossSpecError(`loss spec must be an object such as {"name": "ce"}, got ${JSON.stringify(input)}`);
  }
  const record = input as Record<string, unknown>;
  const name = record.name;
  if (typeof name !== "string" || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new LossSpecError(`loss "name" must be one of ${LOSS_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  }
  const lossName = name as LossName;
  const parameter = LOSS[lossName].parameter;
  for (const key of Object.keys(record)) {
    if (key !== "name" && key !== parameter?.key) {
      const allowed = parameter ? parameter.key : "no parameters";
      throw new LossSpecError(`loss "${lossName}" has no parameter "${key}" (allowed: ${allowed})`);
    }
  }
  const number = (key: LossParameter): number => {
    const value = record[key] ?? parameter!.default;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new LossSpecError(
        `loss "${lossName}" parameter "${key}" must be a finite number, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  switch (lossName) {
    case "ce":
      return { name: "ce" };
    case "fl": {
      const gamma = number("gamma");
      if (gamma < 0) throw new LossSpecError(`loss "fl" parameter "gamma" must be ≥ 0, got ${gamma}`);
      return { name: "fl", gamma };
    }
    case "ls": {
      const alpha = number("alpha");
      if (alpha < 0 || alpha >= 1) {
        throw new LossSpecError(`loss "ls" parameter "alpha" must be in [0, 1), got ${alpha}`);
      }
      return { name: "ls", alpha };
    }
    case "mse": {
      const M = number("M");
      if (M <= 0) throw new LossSpecError(`loss "mse" parameter "M" must be > 0, got ${M}`);
      return { name: "mse", M };
    }
  }
}

/**
 * Loss of one sample and, when `grad` is given, its gradient with respect to the logits written
 * into `grad` (scaled by `gradScale`, added to what is there).
 *
 * `logits` holds the K logits of the sample; `label` its class in [0, K).
 *
 * @example
 * ```ts
 * const g = new Float64Array(3);
 * sampleLoss({ name: "ce" }, Float64Array.of(0, 0, 0), 1, g); // log 3; g = [1/3, −2/3, 1/3]
 * ```
 */
export function sampleLoss(
  spec: LossSpec,
  logits: Float64Array,
  label: number,
  grad?: Float64Array,
  gradScale = 1,
): number {
  const K = logits.length;
  if (spec.name === "mse") {
    let value = 0;
    for (let j = 0; j < K; j++) {
      const r = logits[j] - (j === label ? spec.M : 0);
      value += r * r;
      if (grad) grad[j] += gradScale * (2 / K) * r;
    }
    return value / K;
  }
  let max = -Infinity;
  for (let j = 0; j < K; j++) if (logits[j] > max) max = logits[j];
  let sum = 0;
  for (let j = 0; j < K; j++) sum += Math.exp(logits[j] - max);
  const lse = max + Math.log(sum);
  const logPk = logits[label] - lse;
  const prob = (j: number) => Math.exp(logits[j] - lse);
  switch (spec.name) {
    case "ce":
      if (grad) { for (let j = 0; j < K; j++) grad[j] += gradScale * (prob(j) - (j === label ? 1 : 0)); }
      return -logPk;
    case "ls": {
      const { alpha } = spec;
      let value = 0;
      for (let j = 0; j < K; j++) {
        const target = (j === label ? 1 - alpha : 0) + alpha / K;
        value -= target * (logits[j] - lse);
        if (grad) grad[j] += gradScale * (prob(j) - target);
      }
      return value;
    }
    case "fl": {
      const { gamma } = spec;
      const pk = Math.exp(logPk);
      // 1 − p_k as the sum of the other probabilities: exact when p_k rounds to 1.
      let q = 0;
      for (let j = 0; j < K; j++) if (j !== label) q += prob(j);
      const weight = gamma === 0 ? 1 : Math.pow(q, gamma);
      if (grad) {
        // dℓ/dz_j = (δ_jk − p_j) · [γ (1−p_k)^(γ−1) p_k log p_k − (1−p_k)^γ]
        const focus = gamma === 0 || q === 0 ? 0 : gamma * Math.pow(q, gamma - 1) * pk * logPk;
        const common = focus - weight;
        for (let j = 0; j < K; j++) grad[j] += gradScale * ((j === label ? 1 : 0) - prob(j)) * common;
      }
      return -weight * logPk;
    }
  }
}

/**
 * The factor that turns the sum of the per-sample losses of a batch of `batchSize` samples into
 * the batch loss: 1/B under mean reduction; under sum reduction 1, except for MSE, whose per-sample
 * loss is a mean over the K classes while the reference's sum runs over the batch and the classes
 * (so K).
 *
 * @example
 * ```ts
 * reductionScale({ name: "ce" }, "sum", 128, 10);          // 1
 * reductionScale({ name: "mse", M: 15 }, "sum", 128, 10);  // 10
 * reductionScale({ name: "mse", M: 15 }, "mean", 128, 10); // 1/128
 * ```
 */
export function reductionScale(spec: LossSpec, reduction: Reduction, batchSize: number, numClasses: number): number {
  if (reduction === "mean") return 1 / batchSize;
  return spec.name === "mse" ? numClasses : 1;
}

/**
 * Loss of a batch of logits (N×K, row-major) with mean (default) or sum reduction (see
 * {@link reductionScale}), and optionally its gradient with respect to the logits (same layout,
 * overwritten).
 *
 * @example
 * ```ts
 * batchLoss({ name: "mse", M: 15 }, Float64Array.of(15, 0, 0, 15), [0, 1], 2); // 0
 * batchLoss({ name: "mse", M: 1 }, Float64Array.of(0, 0), [0], 2, { reduction: "sum" }); // 1 = Σ over classes
 * ```
 */
export function batchLoss(
  spec: LossSpec,
  logits: Float64Array,
  labels: ArrayLike<number>,
  numClasses: number,
  options: { reduction?: Reduction; grad?: Float64Array } = {},
): number {
  const { reduction = "mean", grad } = options;
  const n = labels.length;
  if (logits.length !== n * numClasses) {
    throw new LossSpecError(`batchLoss: ${logits.length} logits for ${n} labels × ${numClasses} classes`);
  }
  const scale = reductionScale(spec, reduction, n, numClasses);
  if (grad) grad.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new LossSpecError(`label ${label} at position ${i} is outside [0, ${numClasses})`);
    }
    const row = logits.subarray(i * numClasses, (i + 1) * numClasses);
    total += sampleLoss(spec, row, label, grad?.subarray(i * numClasses, (i + 1) * numClasses), scale);
  }
  return total * scale;
}
