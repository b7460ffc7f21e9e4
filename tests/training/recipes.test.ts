import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { figureGrid } from "../../lib/experiments/figure_presets.ts";
import { expandGrid } from "../../lib/experiments/sweep.ts";
import { ConfigError, normalizeTrainConfig } from "../../lib/training/config.ts";
import { runId } from "../../lib/training/run_id.ts";
import { recipeOf, RECIPES } from "../../lib/training/recipes.ts";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-recipes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("named recipes", () => {
  test("reference-a is sum reduction, batch 128, decay one epoch early; reference-b mean, batch 100", () => {
    const sgd = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 };
    expect(normalizeTrainConfig({ recipe: "reference-a" })).toMatchObject({
      recipe: "reference-a",
      reduction: "sum",
      batchSize: 128,
      schedule: "reference",
      ...sgd,
    });
    expect(normalizeTrainConfig({ recipe: "reference-b" })).toMatchObject({
      recipe: "reference-b",
      reduction: "mean",
      batchSize: 100,
      schedule: "reference",
      ...sgd,
    });
    expect(normalizeTrainConfig({})).toMatchObject({ recipe: "project", reduction: "mean", batchSize: 128 });
  });

  test("the recorded recipe is derived from the settings: the same settings give the same run", () => {
    const spelled = normalizeTrainConfig({ ...RECIPES["reference-b"] });
    expect(spelled.recipe).toBe("reference-b");
    expect(runId(spelled)).toBe(runId(normalizeTrainConfig({ recipe: "reference-b" })));
    expect(normalizeTrainConfig({ batchSize: 32 }).recipe).toBe("custom");
    expect(normalizeTrainConfig({ recipe: "custom", batchSize: 32 }).recipe).toBe("custom");
    const stored = normalizeTrainConfig({ recipe: "reference-a", epochs: 4 });
    expect(normalizeTrainConfig(stored)).toEqual(stored);
  });

  test.each([
    [{ recipe: "reference-a", batchSize: 64 }, /config "batchSize" is 64 but recipe "reference-a" sets 128/],
    [{ recipe: "reference-b", reduction: "sum" }, /config "reduction" is "sum" but recipe "reference-b" sets "mean"/],
    [{ recipe: "project", schedule: "reference" }, /config "schedule" is "reference" but recipe "project"/],
    [{ recipe: "paper" }, /config "recipe" must be one of project, reference-a, reference-b, custom; got "paper"/],
  ])("%o is an error naming the key", (input, message) => {
    expect(() => normalizeTrainConfig(input)).toThrow(ConfigError);
    expect(() => normalizeTrainConfig(input)).toThrow(message);
  });

  test("the paper preset trains every figure with reference recipe A; smoke and cpu with their own", () => {
    for (const figure of ["nc_dynamics", "heatmaps", "accuracy_table", "hyperparameters"]) {
      for (const config of expandGrid(figureGrid(figure, "paper"))) {
        expect(config).toMatchObject({
          recipe: "reference-a",
          reduction: "sum",
          batchSize: 128,
          schedule: "reference",
        });
      }
      const cpu = expandGrid(figureGrid(figure, "cpu"));
      if (figure !== "hyperparameters") {
        // Trained into collapse: the project recipe but for weight decay, so the run records itself as custom.
        expect(
          cpu.every((c) =>
            c.recipe === "custom" && recipeOf({ ...c, weightDecay: RECIPES.project.weightDecay }) === "project"
          ),
        )
          .toBe(true);
        expect(cpu.every((c) => c.weightDecay === 2e-3)).toBe(true);
      } else {
        expect(cpu.every((c) => c.recipe === "project")).toBe(true);
      }
    }
  });
});

describe("the command line", () => {
  test("nc sweep at the paper preset prints reference A's settings before it looks for CIFAR", async () => {
    const { status, stderr } = await runCli([
      "sweep",
      "--figure",
      "nc_dynamics",
      "--preset",
      "paper",
      "--runs-dir",
      dir,
      "--data-dir",
      join(dir, "no-cifar"),
    ]);
    expect(stderr).toMatch(
      /\[nc\] recipe reference-a: sum reduction \(MSE: over batch and classes\), batch 128, SGD lr 0\.1 ×0\.1 at int\(3E\/7\) and int\(5E\/7\) one epoch early, momentum 0\.9, weight decay 0\.0005, clip 2/,
    );
    expect(stderr).toMatch(/no-cifar\/train\.bin: file not found/);
    expect(status).toBe(2);
  });

  test("nc train --recipe sets the recipe; a conflicting flag is one clear error", async () => {
    const small = ["--dataset", "synthetic", "--width", "4", "--depth", "1", "--epochs", "1", "--runs-dir", dir];
    const ok = await runCli(["train", ...small, "--recipe", "reference-b", "--json", "--quiet"]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/\[nc\] recipe reference-b: mean reduction, batch 100/);
    expect(JSON.parse(ok.stdout).id).toMatch(/^synthetic-mlp-w4-ce-e1-s0-/);
    const bad = await runCli(["train", ...small, "--recipe", "reference-a", "--batch-size", "50"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: config "batchSize" is 50 but recipe "reference-a" sets 128/m);
  });
});
