import { describe, expect, test } from "vitest";
import type { LossSpec } from "../../lib/core/losses.ts";
import {
  ncSolution,
  randomUfmInit,
  solveUfm,
  type UfmConfig,
  UfmConfigError,
  ufmObjective,
} from "../../lib/core/ufm.ts";
import { ceOptimalMargin, lsOptimalMargin, minimizeMargin, ufmTheory } from "../../lib/core/ufm_theory.ts";

const LOSSES: LossSpec[] = [{ name: "ce" }, { name: "fl", gamma: 3 }, { name: "ls", alpha: 0.1 }, {
  name: "mse",
  M: 15,
}];
const PROBLEM = { K: 10, n: 50, d: 64, lambdaW: 5e-4, lambdaH: 5e-4, lambdaB: 0, seed: 0 };

function pack(v: ReturnType<typeof ncSolution>) {
  return Float64Array.from([...v.W.data, ...v.H.data, ...v.b]);
}

describe("ufmTheory", () => {
  test("the numerical 1-D solve agrees with the CE and LS closed forms", () => {
    for (const tau of [0.01, 0.05, 0.3]) {
      const K = 10;
      // Bisection on the derivative: agreement to ~1e-12 absolute on margins of order 1–10.
      expect(minimizeMargin({ name: "ce" }, K, tau)).toBeCloseTo(ceOptimalMargin(K, tau), 11);
      expect(minimizeMargin({ name: "ls", alpha: 0.1 }, K, tau)).toBeCloseTo(lsOptimalMargin(K, tau, 0.1), 11);
    }
  });

  test("CE collapses to W = H = 0 when τ ≥ (K−1)/K", () => {
    const t = ufmTheory({ name: "ce" }, { K: 4, n: 1, d: 3, lambdaW: 1, lambdaH: 1, lambdaB: 0 });
    expect(t.trivial).toBe(true);
    expect(t.wNormSq).toBe(0);
    expect(t.objective).toBeCloseTo(Math.log(4), 14);
  });

  test.each(LOSSES)("the constructed NC solution is stationary and attains the predicted objective for %o", (loss) => {
    for (const lambdaB of [0, 1e-2]) {
      const config: UfmConfig = { ...PROBLEM, K: 5, n: 3, d: 6, lambdaB, loss };
      const x = pack(ncSolution(config));
      const grad = new Float64Array(x.length);
      const value = ufmObjective(config)(x, grad);
      expect(value).toBeCloseTo(ufmTheory(loss, config).objective, 12);
      // Stationarity checks the derived ρ, c and b: the gradient vanishes to float64 round-off.
      expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-10);
    }
  });
});

describe("ufmObjective", () => {
  test.each(LOSSES)("its gradient matches central finite differences for %o", (loss) => {
    const config: UfmConfig = { ...PROBLEM, K: 3, n: 2, d: 4, lambdaB: 0.1, lambdaW: 0.05, lambdaH: 0.02, loss };
    const x = pack(randomUfmInit(config));
    x[x.length - 1] = 0.3; // a non-zero bias
    const f = ufmObjective(config);
    const grad = new Float64Array(x.length), scratch = new Float64Array(x.length);
    f(x, grad);
    const h = 1e-6;
    for (let i = 0; i < x.length; i++) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd = (f(xp, scratch) - f(xm, scratch)) / (2 * h);
      expect(Math.abs(fd - grad[i])).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe("solveUfm", () => {
  test.each(LOSSES)("reaches the NC global minimizer from random initialisation at the reference size, %o", (loss) => {
    const r = solveUfm({ ...PROBLEM, loss });
    expect(r.metrics.nc1).toBeLessThan(1e-3);
    expect(r.metrics.nc2).toBeLessThan(1e-3);
    expect(r.metrics.nc3).toBeLessThan(1e-3);
    expect(Math.abs(r.wNormSq / r.theory.wNormSq - 1)).toBeLessThan(1e-3);
    expect(Math.abs(r.objective - r.theory.objective)).toBeLessThan(1e-9);
  });

  test("MSE's NC4 tends to M/√K without bias decay (docs/method.md §3)", () => {
    const r = solveUfm({ ...PROBLEM, K: 4, n: 5, d: 6, loss: { name: "mse", M: 15 } });
    expect(r.metrics.nc4).toBeCloseTo(15 / Math.sqrt(4), 6);
  });

  test("with bias decay and d ≥ K, MSE beats the ETF prediction by moving the bias into the features", () => {
    // docs/method.md §5: global optimality of the ETF is not guaranteed for MSE when λ_b > 0.
    const r = solveUfm({ ...PROBLEM, K: 4, n: 5, d: 6, lambdaB: 0.1, loss: { name: "mse", M: 15 } });
    expect(r.objective).toBeLessThan(r.theory.objective - 1e-6);
    expect(r.biasMean).toBeLessThan(r.theory.bias);
    expect(r.theory.candidate).toBe(true);
  });

  test("the theory is marked a candidate exactly for MSE with bias decay", () => {
    const problem = { K: 4, n: 5, d: 6, lambdaW: 5e-4, lambdaH: 5e-4 };
    for (const loss of [{ name: "ce" }, { name: "ls", alpha: 0.1 }, { name: "fl", gamma: 3 }] as const) {
      expect(ufmTheory(loss, { ...problem, lambdaB: 0.1 }).candidate).toBe(false);
    }
    expect(ufmTheory({ name: "mse", M: 15 }, { ...problem, lambdaB: 0 }).candidate).toBe(false);
    expect(ufmTheory({ name: "mse", M: 15 }, { ...problem, lambdaB: 0.1 }).candidate).toBe(true);
  });

  test("records a log-spaced history ending at the last iteration", () => {
    const r = solveUfm({ ...PROBLEM, K: 4, n: 5, d: 6, loss: { name: "ce" } }, { recordHistory: true });
    expect(r.history[0].iteration).toBe(1);
    expect(r.history.at(-1)!.iteration).toBe(r.iterations);
    expect(r.history.at(-1)!.nc1).toBeCloseTo(r.metrics.nc1, 12);
  });

  test("is deterministic for a seed", () => {
    const config = { ...PROBLEM, K: 3, n: 4, d: 5, loss: { name: "fl", gamma: 3 } as LossSpec };
    expect(solveUfm(config).objective).toBe(solveUfm(config).objective);
  });

  test.each([
    [{ K: 1 }, /"K" must be an integer in \[2, 10000\], got 1/],
    [{ n: 0 }, /"n" must be an integer in \[1, 1000000\], got 0/],
    [{ d: 2.5 }, /"d" must be an integer in \[1, 1000000\], got 2\.5/],
    [{ K: 1e9 }, /"K" must be an integer in \[2, 10000\], got 1000000000/],
    [{ K: 1000, n: 1000, d: 64 }, /K = 1000, n = 1000, d = 64 holds 1\.06e\+9 values per copy \(about 7\.9 GiB\)/],
    [{ lambdaW: 0 }, /"lambdaW" must be > 0/],
    [{ lambdaB: -1 }, /"lambdaB" must be ≥ 0/],
  ])("rejects %o naming the parameter", (bad, message) => {
    expect(() => solveUfm({ ...PROBLEM, loss: { name: "ce" }, ...bad })).toThrow(UfmConfigError);
    expect(() => solveUfm({ ...PROBLEM, loss: { name: "ce" }, ...bad })).toThrow(message);
  });
});
