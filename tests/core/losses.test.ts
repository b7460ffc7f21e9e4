import { describe, expect, test } from "vitest";
import {
  batchLoss,
  type LossSpec,
  LossSpecError,
  parseLossSpec,
  reductionScale,
  sampleLoss,
} from "../../lib/core/losses.ts";
import { LOSS_NAMES } from "../../lib/core/loss_registry.ts";
import { createRng } from "../../lib/core/random.ts";
import { LOSS_CASES as SPECS } from "../helpers.ts";

function gradientOf(spec: LossSpec, logits: Float64Array, label: number) {
  const grad = new Float64Array(logits.length);
  sampleLoss(spec, logits, label, grad);
  return grad;
}

describe("sampleLoss values", () => {
  test("CE and LS of equal logits are log K", () => {
    const zeros = new Float64Array(5);
    expect(sampleLoss({ name: "ce" }, zeros, 2)).toBeCloseTo(Math.log(5), 15);
    expect(sampleLoss({ name: "ls", alpha: 0.3 }, zeros, 2)).toBeCloseTo(Math.log(5), 15);
  });

  test("FL matches −(1−p)^γ log p by hand", () => {
    // logits (log 3, 0): p_0 = 3/4.
    const value = sampleLoss({ name: "fl", gamma: 2 }, Float64Array.of(Math.log(3), 0), 0);
    expect(value).toBeCloseTo(-(0.25 ** 2) * Math.log(0.75), 15);
  });

  test("LS matches (1−α)(−log p_k) + α·mean_j(−log p_j) by hand", () => {
    const z = Float64Array.of(1, 2, 0.5), alpha = 0.2;
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0.5));
    const nll = [...z].map((v) => lse - v);
    const expected = (1 - alpha) * nll[1] + alpha * (nll[0] + nll[1] + nll[2]) / 3;
    expect(sampleLoss({ name: "ls", alpha }, z, 1)).toBeCloseTo(expected, 14);
  });

  test("MSE is the mean over classes of (z_j − M·y_j)²", () => {
    expect(sampleLoss({ name: "mse", M: 15 }, Float64Array.of(1, 2, 3), 0)).toBeCloseTo((14 ** 2 + 4 + 9) / 3, 13);
  });

  test("γ = 0 and α = 0 equal CE in value and gradient", () => {
    const rng = createRng(3);
    const z = Float64Array.from({ length: 6 }, () => 3 * rng.normal());
    for (const spec of [{ name: "fl", gamma: 0 }, { name: "ls", alpha: 0 }] as LossSpec[]) {
      expect(sampleLoss(spec, z, 4)).toBeCloseTo(sampleLoss({ name: "ce" }, z, 4), 14);
      const g = gradientOf(spec, z, 4), gce = gradientOf({ name: "ce" }, z, 4);
      g.forEach((v, i) => expect(v).toBeCloseTo(gce[i], 14));
    }
  });
});

describe("sampleLoss gradients", () => {
  test.each(SPECS)("match central finite differences for %o", (spec) => {
    const rng = createRng(11);
    for (let trial = 0; trial < 5; trial++) {
      const z = Float64Array.from({ length: 7 }, () => 2 * rng.normal());
      const label = rng.int(7);
      const grad = gradientOf(spec, z, label);
      const h = 1e-6;
      for (let j = 0; j < z.length; j++) {
        const plus = Float64Array.from(z), minus = Float64Array.from(z);
        plus[j] += h;
        minus[j] -= h;
        const fd = (sampleLoss(spec, plus, label) - sampleLoss(spec, minus, label)) / (2 * h);
        // Central differences in float64 with h = 1e-6: truncation ~h², round-off ~1e-16/h ≈ 1e-10.
        expect(Math.abs(fd - grad[j])).toBeLessThan(1e-8 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe("numerical stability", () => {
  test.each(SPECS)("logits of magnitude 1e4 give finite values and gradients for %o", (spec) => {
    for (const z of [Float64Array.of(1e4, -1e4, 0), Float64Array.of(-1e4, 1e4, 1e4)]) {
      for (const label of [0, 1]) {
        const grad = new Float64Array(3);
        const value = sampleLoss(spec, z, label, grad);
        expect(Number.isFinite(value)).toBe(true);
        expect(grad.every(Number.isFinite)).toBe(true);
      }
    }
  });

  test("CE of a confidently wrong sample is the logit gap", () => {
    expect(sampleLoss({ name: "ce" }, Float64Array.of(-1e4, 1e4), 0)).toBe(2e4);
  });
});

describe("batchLoss", () => {
  test("sum reduction is N times mean reduction, gradients too", () => {
    const rng = createRng(5);
    const logits = Float64Array.from({ length: 12 }, () => rng.normal());
    const labels = [0, 2, 1, 2];
    const gMean = new Float64Array(12), gSum = new Float64Array(12);
    const mean = batchLoss({ name: "fl", gamma: 3 }, logits, labels, 3, { grad: gMean });
    const sum = batchLoss({ name: "fl", gamma: 3 }, logits, labels, 3, { reduction: "sum", grad: gSum });
    expect(sum).toBeCloseTo(4 * mean, 14);
    gSum.forEach((v, i) => expect(v).toBeCloseTo(4 * gMean[i], 14));
  });

  // Two samples, K = 3: z₁ = (1, 2, 0.5) of class 1, z₂ = (0, −1, 3) of class 2.
  const Z = [[1, 2, 0.5], [0, -1, 3]], Y = [1, 2];
  const flat = Float64Array.from(Z.flat());
  const logSoftmax = (z: number[]) => {
    const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    return z.map((v) => v - lse);
  };
  /** Per-sample losses written out from the definitions (docs/method.md §1), one formula per loss. */
  const byHand: Record<string, (z: number[], y: number) => number> = {
    ce: (z, y) => -logSoftmax(z)[y],
    fl: (z, y) => -((1 - Math.exp(logSoftmax(z)[y])) ** 2) * logSoftmax(z)[y],
    ls: (z, y) => -logSoftmax(z).reduce((a, l, j) => a + ((j === y ? 0.8 : 0) + 0.2 / 3) * l, 0),
  };
  const softmaxSpecs: LossSpec[] = [{ name: "ce" }, { name: "fl", gamma: 2 }, { name: "ls", alpha: 0.2 }];

  test.each(softmaxSpecs)("%o: mean reduction is the mean of the per-sample losses, sum their sum", (spec) => {
    const [a, b] = Z.map((z, i) => byHand[spec.name](z, Y[i]));
    // float64 throughout: agreement to round-off (~1e-15 relative).
    expect(batchLoss(spec, flat, Y, 3)).toBeCloseTo((a + b) / 2, 14);
    expect(batchLoss(spec, flat, Y, 3, { reduction: "sum" })).toBeCloseTo(a + b, 14);
  });

  test("MSE: mean reduction averages over the B·K entries, sum reduction sums over batch and classes", () => {
    const spec: LossSpec = { name: "mse", M: 2 };
    // Residuals z − M·onehot: (1, 0, 0.5) and (0, −1, 1); squares sum to 1.25 and 2.
    // PyTorch: F.mse_loss(z, 2·onehot) = 3.25 / 6; F.mse_loss(z, 2·onehot, reduction='sum') = 3.25.
    expect(batchLoss(spec, flat, Y, 3)).toBeCloseTo(3.25 / 6, 15);
    expect(batchLoss(spec, flat, Y, 3, { reduction: "sum" })).toBeCloseTo(3.25, 15);
    // Per sample, MSE stays the mean over the classes under either reduction.
    expect(sampleLoss(spec, flat.subarray(0, 3), 1)).toBeCloseTo(1.25 / 3, 15);
    expect(reductionScale(spec, "sum", 2, 3)).toBe(3);
    expect(reductionScale({ name: "ce" }, "sum", 2, 3)).toBe(1);
    expect(reductionScale(spec, "mean", 2, 3)).toBe(1 / 2);
  });

  test("MSE's sum-reduction gradient is 2(z − M·onehot), as F.mse_loss(reduction='sum')", () => {
    const grad = new Float64Array(6);
    batchLoss({ name: "mse", M: 2 }, flat, Y, 3, { reduction: "sum", grad });
    expect([...grad]).toEqual([2, 0, 1, 0, -2, 2]);
  });

  test("rejects a label outside [0, K)", () => {
    expect(() => batchLoss({ name: "ce" }, new Float64Array(4), [0, 2], 2)).toThrow(/label 2 at position 1/);
  });
});

describe("parseLossSpec", () => {
  test("fills in defaults", () => {
    expect(parseLossSpec({ name: "fl" })).toEqual({ name: "fl", gamma: 3 });
    expect(parseLossSpec({ name: "ls" })).toEqual({ name: "ls", alpha: 0.1 });
    expect(parseLossSpec({ name: "mse" })).toEqual({ name: "mse", M: 15 });
    expect(parseLossSpec("ce")).toEqual({ name: "ce" });
    expect(LOSS_NAMES).toEqual(["ce", "ls", "fl", "mse"]);
  });

  test.each([
    [{ name: "hinge" }, /"name" must be one of ce, ls, fl, mse/],
    [{ name: "fl", gamma: -1 }, /"gamma" must be ≥ 0/],
    [{ name: "ls", alpha: 1 }, /"alpha" must be in \[0, 1\)/],
    [{ name: "ls", alpha: -0.1 }, /"alpha" must be in \[0, 1\)/],
    [{ name: "mse", M: 0 }, /"M" must be > 0/],
    [{ name: "ce", gamma: 3 }, /no parameter "gamma"/],
    [{ name: "fl", gamma: "3" }, /"gamma" must be a finite number/],
    [null, /loss spec must be an object/],
  ])("rejects %o", (input, message) => {
    expect(() => parseLossSpec(input)).toThrow(LossSpecError);
    expect(() => parseLossSpec(input)).toThrow(message);
  });
});
