import { expect, test } from "vitest";
import { minimizeLbfgs } from "../../lib/core/lbfgs.ts";

test("L-BFGS finds the minimum of the Rosenbrock function", () => {
  const r = minimizeLbfgs((x, g) => {
    const [a, b] = x;
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  }, Float64Array.of(-1.2, 1));
  expect(r.x[0]).toBeCloseTo(1, 8);
  expect(r.x[1]).toBeCloseTo(1, 8);
  expect(r.iterations).toBeLessThan(100);
});

test("L-BFGS solves an ill-conditioned quadratic to the gradient tolerance", () => {
  const n = 50;
  const scale = Float64Array.from({ length: n }, (_, i) => 10 ** (4 * i / (n - 1))); // condition 1e4
  const r = minimizeLbfgs(
    (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        g[i] = scale[i] * (x[i] - 1);
        f += 0.5 * scale[i] * (x[i] - 1) ** 2;
      }
      return f;
    },
    new Float64Array(n),
    { gradTolerance: 1e-9 },
  );
  expect(r.reason).toBe("gradient");
  expect(r.gradNorm).toBeLessThanOrEqual(1e-9);
  r.x.forEach((v) => expect(v).toBeCloseTo(1, 8));
});

test("the callback can stop the run", () => {
  const r = minimizeLbfgs(
    (x, g) => {
      g[0] = 2 * x[0];
      return x[0] ** 2 + 1;
    },
    Float64Array.of(5),
    { onIteration: () => false },
  );
  expect(r.reason).toBe("callback");
  expect(r.iterations).toBe(1);
});
