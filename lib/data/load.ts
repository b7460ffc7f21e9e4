/**
 * Datasets by name.
 *
 * @module
 */
import { loadCifar10, loadCifar100 } from "./cifar.ts";
import { DATA_DIR } from "./data_dir.ts";
import { DataError, type DatasetSplits } from "./dataset.ts";
import { FASHION_MNIST_DIR, loadMnistFamily } from "./idx.ts";
import { gaussianMixture, type GaussianMixtureOptions } from "./synthetic.ts";

/** Dataset names. */
export const DATASET_NAMES = ["fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"] as const;
/** A dataset name. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /**
   * Directory holding the files (defaults: Debian's Fashion-MNIST; for CIFAR the repository's `data/`,
   * {@link DATA_DIR}). CIFAR takes the folder of its files or one holding it, binary or python version.
   */
  dataDir?: string;
  cifar100Labels?: "fine" | "coarse";
  synthetic?: Omit<GaussianMixtureOptions, "seed">;
  /** Seed of the synthetic mixture. */
  syntheticSeed?: number;
}

/**
 * Loads the train and test splits of a dataset.
 *
 * @example
 * ```ts
 * const { train, test } = loadDataset("fashion-mnist");
 * ```
 */
export function loadDataset(name: DatasetName, options: LoadOptions = {}): DatasetSplits {
  switch (name) {
    case "fashion-mnist":
      return loadMnistFamily(options.dataDir ?? FASHION_MNIST_DIR, "fashion-mnist");
    case "mnist":
      if (!options.dataDir) throw new DataError("mnist: give the directory of the MNIST IDX files (--data-dir)");
      return loadMnistFamily(options.dataDir, "mnist");
    case "cifar10":
      return loadCifar10(options.dataDir ?? DATA_DIR);
    case "cifar100":
      return loadCifar100(options.dataDir ?? DATA_DIR, { labels: options.cifar100Labels });
    case "synthetic":
      if (!options.synthetic) throw new DataError("synthetic: the mixture's options are required");
      return gaussianMixture({ ...options.synthetic, seed: options.syntheticSeed ?? 0 });
  }
}
