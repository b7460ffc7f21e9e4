import { expect, test } from "vitest";
import { figureGrid } from "../../lib/experiments/figure_presets.ts";
import { PACK_AUTO_LIMIT, parsePackSetting, planPacks } from "../../lib/experiments/packs.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { packKey } from "../../lib/training/packed_trainer.ts";

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

test("the heat-map grid packs into its 12 shapes of 12 runs, longest first, whatever the job count", () => {
  const configs = expandGrid(figureGrid("heatmaps", "cpu"));
  for (const jobs of [1, 2]) {
    const plan = planPacks(configs, all(configs.length), { pack: "auto", jobs });
    expect(plan).toHaveLength(12);
    expect(plan.every((item) => item.length === 12)).toBe(true);
    expect(plan.flat().sort((a, b) => a - b)).toEqual(all(configs.length));
    for (const item of plan) expect(new Set(item.map((i) => packKey(configs[i]))).size).toBe(1);
    expect(configs[plan[0][0]]).toMatchObject({ width: 256, epochs: 1400 });
    expect(configs[plan[11][0]]).toMatchObject({ width: 16, epochs: 25 });
  }
});

test("auto splits packs until every job has one; N caps a pack; off and 1 train alone", () => {
  const configs = expandGrid(figureGrid("nc_dynamics", "cpu"));
  expect(planPacks(configs, all(4), { pack: "auto", jobs: 1 })).toEqual([[0, 1, 2, 3]]);
  expect(planPacks(configs, all(4), { pack: "auto", jobs: 2 })).toEqual([[0, 1], [2, 3]]);
  expect(planPacks(configs, all(4), { pack: "auto", jobs: 8 })).toEqual([[0], [1], [2], [3]]);
  expect(planPacks(configs, [1, 3], { pack: "auto", jobs: 1 })).toEqual([[1, 3]]);
  expect(planPacks(configs, all(4), { pack: 3, jobs: 1 })).toEqual([[0, 1], [2, 3]]);
  expect(planPacks(configs, all(4), { pack: "off", jobs: 1 })).toEqual([[0], [1], [2], [3]]);
  expect(planPacks(configs, all(4), { pack: 1, jobs: 2 })).toEqual([[0], [1], [2], [3]]);
  expect(planPacks(configs, [], { pack: "auto", jobs: 2 })).toEqual([]);
  const hyper = expandGrid(figureGrid("hyperparameters", "cpu")); // 30 runs of one shape
  expect(planPacks(hyper, all(30), { pack: "auto", jobs: 1 }).map((p) => p.length)).toEqual([15, 15]);
  expect(PACK_AUTO_LIMIT).toBeLessThan(30);
});

test("ResNet runs and augmented evaluations train alone", () => {
  const resnets = expandGrid(figureGrid("heatmaps", "paper")).slice(0, 3);
  expect(planPacks(resnets, all(3), { pack: "auto", jobs: 1 })).toEqual([[0], [1], [2]]);
});

test("--pack takes auto, off or an integer in [1, 256]", () => {
  expect(parsePackSetting("auto")).toBe("auto");
  expect(parsePackSetting("off")).toBe("off");
  expect(parsePackSetting("12")).toBe(12);
  expect(parsePackSetting("256")).toBe(256);
  for (const bad of ["0", "-2", "1.5", "on", "", "257", "1e9"]) {
    expect(() => parsePackSetting(bad)).toThrow(/--pack must be auto, off/);
  }
});
