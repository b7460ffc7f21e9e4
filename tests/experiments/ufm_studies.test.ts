import { expect, test } from "vitest";
import { UFM_PRESETS } from "../../lib/experiments/presets.ts";
import { globalMinimizerStudy, lambdaSweepStudy, landscapeStudy } from "../../lib/experiments/ufm_studies.ts";

const smoke = UFM_PRESETS.smoke;

test("the global-minimizer study solves each paper loss with a history", () => {
  const results = globalMinimizerStudy(smoke);
  expect(results.map((r) => r.config.loss.name)).toEqual(["ce", "ls", "fl", "mse"]);
  for (const r of results) {
    expect(r.history.length).toBeGreaterThan(3);
    expect(Math.abs(r.wNormSq / r.theory.wNormSq - 1)).toBeLessThan(1e-6);
  }
});

test("the λ sweep's optimised points sit on the theory curve", () => {
  const { theory, optimised } = lambdaSweepStudy(smoke, [{ name: "ce" }], { curvePoints: 5 });
  expect(theory).toHaveLength(5);
  expect(optimised).toHaveLength(smoke.sweepLambdas.length);
  for (const p of optimised) expect(p.wNormSq).toBeCloseTo(p.predicted, 6);
});

test("the landscape study runs every seed and start, skipping near starts below K − 1", () => {
  const seen: number[] = [];
  const runs = landscapeStudy(smoke, [{ name: "fl", gamma: 3 }], { onRun: (_, done) => seen.push(done) });
  const [below, at, above] = smoke.landscapeDims;
  const count = (d: number, start: string) => runs.filter((r) => r.d === d && r.start === start).length;
  expect(count(below, "near")).toBe(0);
  expect(count(at, "near")).toBe(smoke.landscapeSeeds);
  expect(count(above, "far")).toBe(smoke.landscapeSeeds);
  expect(runs).toHaveLength(3 * 3 * smoke.landscapeSeeds - smoke.landscapeSeeds);
  expect(seen.at(-1)).toBe(runs.length);
  for (const r of runs.filter((r) => r.d >= smoke.K - 1)) expect(Math.abs(r.gap)).toBeLessThan(1e-8);
  for (const r of runs.filter((r) => r.d < smoke.K - 1)) expect(r.gap).toBeGreaterThan(1e-6);
});
