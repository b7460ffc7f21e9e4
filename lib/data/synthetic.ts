/**
 * A seeded Gaussian-mixture dataset for tests and demos: K class centres at distance `separation`
 * from the origin in random directions, unit-variance isotropic noise.
 *
 * @module
 */
import { createRng } from "../core/random.ts";
import type { DatasetSplits } from "./dataset.ts";

/** Options of {@link gaussianMixture}. */
export interface GaussianMixtureOptions {
  numClasses: number;
  dim: number;
  /** Training samples per class. */
  trainPerClass: number;
  /** Test samples per class. */
  testPerClass: number;
  /** Norm of each class centre. */
  separation: number;
  seed: number;
}

/**
 * Train and test splits drawn from the same mixture.
 *
 * @example
 * ```ts
 * const { train, test } = gaussianMixture({ numClasses: 3, dim: 8, trainPerClass: 50, testPerClass: 20, separation: 3, seed: 0 });
 * ```
 */
export function gaussianMixture(options: GaussianMixtureOptions): DatasetSplits {
  const { numClasses: K, dim, separation, seed } = options;
  const rng = createRng(`gaussian-mixture:${seed}`);
  const centres = Array.from({ length: K }, () => {
    const v = Array.from({ length: dim }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => (separation * x) / norm);
  });
  const draw = (perClass: number, name: string) => {
    const n = K * perClass;
    const inputs = new Float32Array(n * dim), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % K;
      labels[i] = k;
      for (let j = 0; j < dim; j++) inputs[i * dim + j] = centres[k][j] + rng.normal();
    }
    return { name, inputs, sampleShape: [dim], labels, numClasses: K };
  };
  return {
    train: draw(options.trainPerClass, "gaussian-mixture/train"),
    test: draw(options.testPerClass, "gaussian-mixture/test"),
  };
}
