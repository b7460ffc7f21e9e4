/**
 * The largest values a training configuration takes: far above any experiment of the paper (or a
 * GPU's memory), low enough that a typo (`--epochs 1e300`, `--width 1e9`) is refused at once, before
 * a run directory exists, rather than allocating for minutes or training forever.
 *
 * @module
 */

/**
 * The largest value of each integer key (the smallest is 1). `width` is the MLP's hidden units; a
 * ResNet's width multiplier is at most `resnetWidth`.
 */
export const CONFIG_MAXIMA = {
  epochs: 100_000,
  width: 65_536,
  resnetWidth: 64,
  depth: 256,
  batchSize: 1_048_576,
  perClass: 100_000_000,
  "synthetic.numClasses": 100_000,
  "synthetic.dim": 1_048_576,
  "synthetic.trainPerClass": 10_000_000,
  "synthetic.testPerClass": 10_000_000,
  "evalEpochs.logSpaced": 100_000,
} as const;

/**
 * The most parameters an MLP may have: 2²⁸ (about 268 million), 3 GiB as float32 with its
 * optimizer's velocity and its gradients (three copies).
 */
export const MAX_MLP_PARAMETERS = 2 ** 28;

/** The input size of each dataset's samples (values per sample), for the MLP's first layer. */
export const INPUT_SIZE: Readonly<Record<string, number>> = {
  "fashion-mnist": 784,
  mnist: 784,
  cifar10: 3072,
  cifar100: 3072,
};

/**
 * The parameters of an MLP: the hidden layers' weights and biases, then the classifier's.
 *
 * @example
 * ```ts
 * mlpParameterCount({ inputSize: 784, width: 512, depth: 3, numClasses: 10 }); // 932362
 * ```
 */
export function mlpParameterCount(
  options: { inputSize: number; width: number; depth: number; numClasses: number },
): number {
  const { inputSize, width, depth, numClasses } = options;
  return (inputSize + 1) * width + (depth - 1) * (width + 1) * width + (width + 1) * numClasses;
}
