/**
 * The losses of `losses.ts` as TensorFlow.js ops, for training networks.
 *
 * Same definitions and conventions as the float64 reference (`sampleLoss`), which the tests use to
 * check both values and autodiff gradients. Focal loss carries its analytic gradient
 * (`tf.customGrad`): autodiff through (1 − p_k)^γ gives 0·∞ when p_k rounds to 1 and γ < 1.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type LossSpec, parseLossSpec, type Reduction, reductionScale } from "./losses.ts";

/**
 * Per-sample losses (shape [N]) of logits [N, K] against integer labels [N].
 *
 * @example
 * ```ts
 * const per = perSampleLossTensor({ name: "ce" }, tf.zeros([2, 3]), tf.tensor1d([0, 2], "int32"));
 * // per ≈ [log 3, log 3]
 * ```
 */
export function perSampleLossTensor(spec: LossSpec, logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const K = logits.shape[1];
    const oneHot = tf.oneHot(tf.cast(labels, "int32"), K).toFloat() as tf.Tensor2D;
    switch (spec.name) {
      case "ce":
        return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
      case "ls": {
        const target = tf.add(tf.mul(oneHot, 1 - spec.alpha), spec.alpha / K);
        return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
      }
      case "mse":
        return tf.mean(tf.square(tf.sub(logits, tf.mul(oneHot, spec.M))), 1) as tf.Tensor1D;
      case "fl":
        return focalLoss(spec.gamma)(logits, oneHot) as tf.Tensor1D;
    }
  });
}

function focalLoss(gamma: number) {
  return tf.customGrad((logits, oneHot, saveArg) => {
    const z = logits as tf.Tensor2D, y = oneHot as tf.Tensor2D, save = saveArg as tf.GradSaveFunc;
    const logProb = tf.logSoftmax(z);
    const prob = tf.exp(logProb);
    const logPk = tf.sum(tf.mul(y, logProb), 1);
    // 1 − p_k as the sum of the other probabilities: exact when p_k rounds to 1.
    const q = tf.sum(tf.mul(prob, tf.sub(1, y)), 1);
    const weight = gamma === 0 ? tf.onesLike(q) : tf.pow(q, gamma);
    save([prob, y, q, logPk, weight]);
    return {
      value: tf.neg(tf.mul(weight, logPk)),
      gradFunc: (dy, saved) => {
        const [p, target, rest, logPkSaved, w] = saved as tf.Tensor[];
        // dℓ/dz_j = (δ_jk − p_j) · [γ (1−p_k)^(γ−1) p_k log p_k − (1−p_k)^γ]
        const safeRest = tf.maximum(rest, tf.scalar(Number.MIN_VALUE));
        const focus = gamma === 0 ? tf.zerosLike(rest) : tf.where(
          tf.greater(rest, 0),
          tf.mul(tf.mul(tf.pow(safeRest, gamma - 1), tf.exp(logPkSaved)), tf.mul(logPkSaved, gamma)),
          tf.zerosLike(rest),
        );
        const common = tf.mul(tf.sub(focus, w), dy).expandDims(1);
        return [tf.mul(tf.sub(target, p), common), tf.zerosLike(target)];
      },
    };
  });
}

/**
 * Batch loss (a scalar) with mean (default) or sum reduction, as the reference code: under sum
 * reduction MSE sums over the batch and the classes (`reductionScale`).
 *
 * @example
 * ```ts
 * const logits = tf.zeros([2, 3]), labels = tf.tensor1d([0, 2], "int32");
 * const loss = lossTensor({ name: "fl", gamma: 3 }, logits, labels, { reduction: "mean" });
 * ```
 */
export function lossTensor(
  spec: LossSpec,
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: { reduction?: Reduction } = {},
): tf.Scalar {
  const { reduction = "mean" } = options;
  return tf.tidy(() => {
    const per = perSampleLossTensor(spec, logits, labels);
    if (reduction === "mean") return tf.mean(per) as tf.Scalar;
    const scale = reductionScale(spec, reduction, logits.shape[0], logits.shape[1]);
    return (scale === 1 ? tf.sum(per) : tf.mul(tf.sum(per), scale)) as tf.Scalar;
  });
}

/**
 * Builds a loss function from a spec such as `{ "name": "fl", "gamma": 3 }` (validated, defaults
 * filled in), ready for a training loop.
 *
 * @example
 * ```ts
 * const logits = tf.zeros([2, 3]), labels = tf.tensor1d([0, 2], "int32");
 * const loss = makeLoss({ name: "ls", alpha: 0.1 });
 * const value = loss(logits, labels);
 * ```
 */
export function makeLoss(
  spec: unknown,
  options: { reduction?: Reduction } = {},
): (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar {
  const parsed = parseLossSpec(spec);
  return (logits, labels) => lossTensor(parsed, logits, labels, options);
}
