/**
 * "Did you mean …?": the known names closest to a mistyped one, by edit distance.
 *
 * @module
 */

/**
 * The edit distance between two words: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (the optimal-string-alignment distance).
 *
 * @example
 * ```ts
 * editDistance("epcohs", "epochs"); // 1 (one swap)
 * editDistance("lr", "seed"); // 4
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1, cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => i || j));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The known names nearest to `name` (at most three, in the order given), or none when none is close:
 * a name is close when its edit distance is at most a third of the longer word's length (at least 1),
 * and as close as a one-letter slip when `name` (three letters or more, past its dashes) is the start
 * of it (`--batch` for `--batch-size`).
 *
 * @example
 * ```ts
 * closestNames("epoch", ["epochs", "eval-epochs", "seed"]); // ["epochs"]
 * closestNames("frobnicate", ["train", "sweep"]); // []
 * ```
 */
export function closestNames(name: string, known: readonly string[]): string[] {
  const scored = known.map((candidate) => {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    const prefix = name.replace(/^-+/, "").length >= 3 && candidate.startsWith(name);
    return { candidate, distance: prefix ? Math.min(distance, 1) : distance, limit };
  }).filter((s) => s.distance <= s.limit);
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).slice(0, 3).map((s) => s.candidate);
}

/**
 * The sentence that suggests the nearest names, or "" when none is close.
 *
 * @example
 * ```ts
 * didYouMean("--epoch", ["--epochs", "--seed"]); // "; did you mean --epochs?"
 * didYouMean("--xyz", ["--epochs"]); // ""
 * ```
 */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = closestNames(name, known);
  return near.length === 0 ? "" : `; did you mean ${near.join(" or ")}?`;
}
