/**
 * The paper's step learning-rate schedule: ×0.1 at epochs m1 = int(3E/7) and m2 = int(5E/7)
 * (docs/method.md §6).
 *
 * - `standard` (default): PyTorch's MultiStepLR stepped after each epoch, so the decay takes effect
 *   from epoch m1 + 1 (1-based): lr = base for t ≤ m1, base/10 for m1 < t ≤ m2, base/100 after.
 * - `reference`: the reference code steps the scheduler at the start of every epoch, one epoch
 *   early: lr = base for t < m1, base/10 for m1 ≤ t < m2, base/100 for t ≥ m2.
 *
 * @module
 */

/** Which convention of the step schedule. */
export type ScheduleKind = "standard" | "reference";

/** The decay epochs [m1, m2] for a budget of E epochs. */
export function milestones(epochs: number): [number, number] {
  return [Math.floor((3 * epochs) / 7), Math.floor((5 * epochs) / 7)];
}

/**
 * Learning rate of 1-based epoch `epoch` of `epochs`.
 *
 * @example
 * ```ts
 * learningRate(43, { epochs: 100, base: 0.1 });                      // 0.01 (m1 = 42)
 * learningRate(42, { epochs: 100, base: 0.1, kind: "reference" });  // 0.01
 * ```
 */
export function learningRate(epoch: number, options: { epochs: number; base: number; kind?: ScheduleKind }): number {
  const [m1, m2] = milestones(options.epochs);
  const offset = options.kind === "reference" ? 1 : 0;
  const decays = (epoch + offset > m1 ? 1 : 0) + (epoch + offset > m2 ? 1 : 0);
  return options.base / 10 ** decays;
}
