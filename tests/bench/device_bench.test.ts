import { afterAll, expect, test } from "vitest";
import process from "node:process";
import { initBackend } from "../../lib/backend/backend.ts";
import { deviceBench } from "../../bench/device_bench.ts";

afterAll(async () => {
  await initBackend({ backend: "wasm", quiet: true });
});

test("the accelerator benchmark runs on the software WebGPU adapter and reports the device and throughputs", {
  timeout: 120_000,
}, async () => {
  const saved = process.env.NC_WEBGPU_SOFTWARE;
  process.env.NC_WEBGPU_SOFTWARE = "1";
  try {
    const rows = await deviceBench("webgpu", {
      batch: 4,
      steps: 1,
      models: ["mlp", "resnet18 w0.25"],
      paperRun: false,
    });
    expect(rows.map((r) => r.name)).toEqual(["device", "mlp", "resnet18 w0.25"]);
    expect(rows[0].note).toMatch(/llvmpipe|adapter/);
    for (const r of rows.slice(1)) expect(r.samples_per_s).toBeGreaterThan(0);
  } finally {
    if (saved === undefined) delete process.env.NC_WEBGPU_SOFTWARE;
    else process.env.NC_WEBGPU_SOFTWARE = saved;
  }
});

test("its paper-preset run trains the ResNet-50 through the run store on synthetic CIFAR-10 files", {
  timeout: 120_000,
}, async () => {
  const rows = await deviceBench("native", { batch: 8, steps: 1, models: ["mlp"] });
  const run = rows.find((r) => r.name === "paper run")!;
  expect(run.variant).toMatch(/^resnet50 width 0\.25, recipe custom, 1 epoch/);
  expect(run.note).toMatch(/^done, test accuracy \d+\.\d %/);
  await expect(deviceBench("native", { batch: 8, steps: 1, models: ["vgg"] })).rejects.toThrow(/unknown model vgg/);
});
