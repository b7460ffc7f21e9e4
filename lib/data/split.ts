/**
 * Seeded validation hold-out and per-class subsets.
 *
 * @module
 */
import { createRng } from "../core/random.ts";

/** A seeded permutation of 0…n−1 (Fisher–Yates). */
export function permutation(n: number, seed: number | string): Int32Array {
  const rng = createRng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * Splits 0…n−1 into a training and a validation part: a seeded shuffle, the first
 * round(fraction·n) indices for validation (as the reference code, docs/method.md §7). The split
 * depends only on `seed`, not on the run's seed, so every run sees the same hold-out.
 *
 * @example
 * ```ts
 * const { train, validation } = validationSplit(60000, { fraction: 0.1, seed: 1 }); // 54000 + 6000
 * ```
 */
export function validationSplit(
  n: number,
  options: { fraction: number; seed: number },
): { train: Int32Array; validation: Int32Array } {
  const p = permutation(n, `validation-split:${options.seed}`);
  const cut = Math.round(options.fraction * n);
  return { validation: p.slice(0, cut).sort(), train: p.slice(cut).sort() };
}

/**
 * At most `perClass` indices of each class from `indices`, chosen by a seeded shuffle, in
 * ascending order.
 *
 * @example
 * ```ts
 * const split = validationSplit(100, { fraction: 0.1, seed: 1 });
 * const labels = Int32Array.from({ length: 100 }, (_, i) => i % 10);
 * const small = perClassSubset(split.train, labels, 5, 0);
 * small.length; // 50
 * ```
 */
export function perClassSubset(indices: Int32Array, labels: Int32Array, perClass: number, seed: number): Int32Array {
  const order = permutation(indices.length, `per-class-subset:${seed}`);
  const taken = new Map<number, number>();
  const out: number[] = [];
  for (const position of order) {
    const index = indices[position], y = labels[index];
    const count = taken.get(y) ?? 0;
    if (count < perClass) {
      taken.set(y, count + 1);
      out.push(index);
    }
  }
  return Int32Array.from(out).sort();
}
