import { expect, test } from "vitest";
import process from "node:process";
import { PresetError, resolvePreset, UFM_PRESETS } from "../../lib/experiments/presets.ts";
import { restoreEnvAfterEach } from "../helpers.ts";

restoreEnvAfterEach("NC_PRESET");

test("the preset defaults to cpu and follows NC_PRESET", () => {
  delete process.env.NC_PRESET;
  expect(resolvePreset()).toBe("cpu");
  process.env.NC_PRESET = "smoke";
  expect(resolvePreset()).toBe("smoke");
  expect(resolvePreset("cpu")).toBe("cpu");
});

test("an unknown preset is an error naming the allowed ones", () => {
  process.env.NC_PRESET = "huge";
  expect(() => resolvePreset()).toThrow(PresetError);
  expect(() => resolvePreset()).toThrow(/unknown preset "huge" \(from NC_PRESET\); choose one of smoke, cpu, paper/);
});

test("the landscape dimensions of every preset lie below, at and above K − 1", () => {
  for (const preset of Object.values(UFM_PRESETS)) {
    const dims = preset.landscapeDims;
    expect(dims.some((d) => d < preset.K - 1)).toBe(true);
    expect(dims).toContain(preset.K - 1);
    expect(dims.some((d) => d > preset.K - 1)).toBe(true);
  }
});
