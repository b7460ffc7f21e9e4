// Types of the parts of jStat (npm `jstat`, which ships none) that the toolkit uses.
declare const jStat: {
  /** Spearman's rank correlation, ties given their average rank. */
  spearmancoeff(a: readonly number[], b: readonly number[]): number;
  /** The F statistic of a one-way analysis of variance over the groups. */
  anovafscore(...groups: number[][]): number;
  /** The p-value of that F statistic. */
  anovaftest(...groups: number[][]): number;
  centralF: { cdf(x: number, df1: number, df2: number): number };
  /** Student's t distribution with `df` degrees of freedom. */
  studentt: {
    /** P(T ≤ x). */
    cdf(x: number, df: number): number;
    /** The quantile: x with P(T ≤ x) = p. */
    inv(p: number, df: number): number;
  };
};
export default jStat;
