import { expect, test } from "vitest";
// @ts-types="../../scripts/setup_packages.d.mts"
import { PACKAGES, planPackages } from "../../scripts/setup_packages.mjs";

const all = () => true;
const without = (...names: string[]) => (name: string) => !names.includes(name);

test("set-up for reproduce needs no test-only package (Slurm, munge, Mesa, Chromium); for the tests, every one", () => {
  const testOnly = PACKAGES.filter((p: { tests?: boolean }) => p.tests).map((p: { name: string }) => p.name);
  expect(testOnly).toEqual(["libgl1-mesa-dri", "libegl-mesa0", "libegl1", "slurm-wlm", "munge", "chromium"]);
  const none = without(...testOnly);
  expect(planPackages({ purpose: "reproduce", present: none, isRoot: false, hasAptGet: false }).action).toBe("none");
  const forTests = planPackages({ purpose: "test", present: none, isRoot: true, hasAptGet: true });
  expect(forTests).toMatchObject({ action: "install", packages: testOnly });
});

test("without apt-get: each missing package and what it is for; only optional ones missing, it goes on", () => {
  const noBlas = planPackages({
    purpose: "reproduce",
    present: without("libopenblas0-pthread", "libdnnl2"),
    isRoot: false,
    hasAptGet: false,
  });
  expect(noBlas.action).toBe("warn");
  expect(noBlas.message).toContain("libopenblas0-pthread: OpenBLAS, the products of the default native backend");
  expect(noBlas.message).toContain("falls back to the slower wasm backend");
  expect(noBlas.message).toContain("no apt-get: install their equivalents with its package manager");
  const noData = planPackages({
    purpose: "reproduce",
    present: without("dataset-fashion-mnist"),
    isRoot: false,
    hasAptGet: true,
  });
  expect(noData.action).toBe("fail");
  expect(noData.message).toMatch(/`npm run reproduce`:\n {2}dataset-fashion-mnist: the default dataset\n/);
  expect(noData.message).toContain(
    "sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends dataset-fashion-mnist'",
  );
  expect(planPackages({ purpose: "reproduce", present: all, isRoot: false, hasAptGet: false }).action).toBe("none");
});
