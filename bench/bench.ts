/**
 * `deno task bench [--json] [--only NAME] [--steps N]`: training throughput and metric cost on this
 * machine, with baselines measured in the same run.
 *
 * - `mlp`: MLP 784-512-512-10 (ReLU), batch 128, SGD with momentum, CE; samples/s on wasm with the
 *   project's kernels and with the stock wasm kernels;
 * - `resnet18`: CIFAR ResNet-18 at width 0.25 (stages 16/32/64/128), batch 32, 32×32×3; samples/s on
 *   wasm and on the cpu backend (a few steps);
 * - `nc_metrics`: seconds for both streaming passes over 60,000 × 512 features, K = 10;
 * - `pytorch`: the same MLP and ResNet-18 in PyTorch on the CPU (`bench/torch_bench.py`) when
 *   `python3 -c "import torch"` works, reported beside the wasm numbers as a ratio.
 *
 * Inputs and weights are seeded; timings exclude a warm-up. With `--json`, one JSON object per line.
 */
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { cpus, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import process from "node:process";
import { initBackend } from "../lib/backend/backend.ts";
import { lossTensor } from "../lib/core/loss_tensors.ts";
import { ClassMeanAccumulator, ncMetrics, WithinClassAccumulator } from "../lib/core/nc_metrics.ts";
import { matrix } from "../lib/core/linalg.ts";
import { createRng } from "../lib/core/random.ts";
import { buildMlp } from "../lib/models/mlp.ts";
import { forward, type Network, trainableVariables } from "../lib/models/network.ts";
import { buildResNet18 } from "../lib/models/resnet.ts";
import { Sgd } from "../lib/training/optimizer.ts";
import { DEBIAN_PYTHON } from "../lib/present/notebooks.ts";

const here = dirname(fileURLToPath(import.meta.url));

const MACHINE = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  runtime: `deno ${
    (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno
  }, tfjs ${tf.version.tfjs}`,
};

interface Result {
  name: string;
  backend: string;
  variant?: string;
  samples_per_s?: number;
  seconds?: number;
  ratio_to_pytorch?: number;
  note?: string;
}

/** Training steps per second of a network on random inputs; returns samples/s. */
async function trainThroughput(net: Network, batch: number, steps: number, warmup: number): Promise<number> {
  const vars = trainableVariables(net);
  const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 0, clipNorm: 0 });
  const x = tf.randomNormal([batch, ...net.inputShape], 0, 1, "float32", 1);
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % net.numClasses), "int32");
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => lossTensor({ name: "ce" }, forward(net, x, { training: true }).logits, y),
        vars,
      );
      sgd.step(vars.map((v) => grads[v.name]), 0.01).dispose();
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < warmup; i++) await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  sgd.dispose();
  tf.dispose([x, y]);
  return (batch * steps) / seconds;
}

function mlp(): Network {
  return buildMlp({ inputShape: [784], numClasses: 10, width: 512, depth: 2, seed: 0 });
}

function resnet18(): Network {
  return buildResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 0.25, seed: 0 });
}

async function benchMlp(steps: number): Promise<Result[]> {
  const out: Result[] = [];
  for (const [variant, projectKernels] of [["project kernels", true], ["stock kernels", false]] as const) {
    await initBackend({ backend: "wasm", quiet: true, projectKernels });
    const net = mlp();
    out.push({
      name: "mlp",
      backend: "wasm",
      variant,
      samples_per_s: await trainThroughput(
        net,
        128,
        variant === "stock kernels" ? Math.max(3, Math.round(steps / 4)) : steps,
        3,
      ),
    });
    net.model.dispose();
  }
  await initBackend({ backend: "wasm", quiet: true, projectKernels: true });
  return out;
}

async function benchResNet18(steps: number): Promise<Result[]> {
  const out: Result[] = [];
  // The cpu backend needs minutes per step here: one step, no warm-up.
  for (const [backend, n, warmup] of [["wasm", steps, 2], ["cpu", 1, 0]] as const) {
    await initBackend({ backend, quiet: true });
    const net = resnet18();
    out.push({
      name: "resnet18",
      backend,
      variant: "width 0.25, batch 32",
      samples_per_s: await trainThroughput(net, 32, n, warmup),
    });
    net.model.dispose();
  }
  await initBackend({ backend: "wasm", quiet: true });
  return out;
}

function benchNcMetrics(): Result[] {
  const N = 60000, d = 512, K = 10, batch = 1000;
  const rng = createRng(0);
  const features = Float32Array.from({ length: batch * d }, () => rng.normal());
  const labels = Int32Array.from({ length: batch }, (_, i) => i % K);
  const W = matrix(K, d, Array.from({ length: K * d }, () => rng.normal()));
  const b = new Float64Array(K);
  const start = performance.now();
  const pass1 = new ClassMeanAccumulator(K, d);
  for (let i = 0; i < N / batch; i++) pass1.accumulate(features, labels);
  const pass2 = new WithinClassAccumulator(pass1.compute(), { classifier: { W, b } });
  for (let i = 0; i < N / batch; i++) pass2.accumulate(features, labels);
  ncMetrics(pass2.compute(), { W, b });
  return [{
    name: "nc_metrics",
    backend: "typescript",
    variant: "60000 × 512, K = 10, both passes",
    seconds: (performance.now() - start) / 1000,
  }];
}

function benchPyTorch(steps: number): Result[] {
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return [{
      name: "pytorch",
      backend: "none",
      note: "python3 cannot import torch; install Debian's python3-torch for the peer baseline",
    }];
  }
  const run = spawnSync(DEBIAN_PYTHON, [join(here, "torch_bench.py"), "--steps", String(steps)], { encoding: "utf8" });
  if (run.status !== 0) {
    return [{
      name: "pytorch",
      backend: "none",
      note: `torch_bench.py failed: ${run.stderr.trim().split("\n").at(-1)}`,
    }];
  }
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Result);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: "boolean" }, only: { type: "string" }, steps: { type: "string" } },
    strict: true,
  });
  const steps = Number(values.steps ?? 20);
  const want = (name: string) => !values.only || values.only.split(",").includes(name);
  const results: Result[] = [];
  if (want("mlp")) results.push(...await benchMlp(steps));
  if (want("resnet18")) results.push(...await benchResNet18(Math.max(3, Math.round(steps / 4))));
  if (want("nc_metrics")) results.push(...benchNcMetrics());
  if (want("pytorch")) {
    const torch = benchPyTorch(steps);
    results.push(...torch);
    for (const r of results) {
      const peer = torch.find((t) => t.name === `pytorch_${r.name}`);
      if (peer?.samples_per_s && r.samples_per_s && r.backend === "wasm") {
        r.ratio_to_pytorch = r.samples_per_s / peer.samples_per_s;
      }
    }
  }
  for (const r of results) {
    if (values.json) console.log(JSON.stringify({ ...r, machine: MACHINE }));
    else {
      const value = r.samples_per_s !== undefined
        ? `${r.samples_per_s.toFixed(1)} samples/s`
        : r.seconds !== undefined
        ? `${r.seconds.toFixed(3)} s`
        : r.note;
      const ratio = r.ratio_to_pytorch !== undefined ? `  (${r.ratio_to_pytorch.toFixed(2)}× PyTorch)` : "";
      console.log(`${r.name.padEnd(18)} ${r.backend.padEnd(10)} ${(r.variant ?? "").padEnd(34)} ${value}${ratio}`);
    }
  }
  if (!values.json) {
    console.log(
      `\nmachine: ${MACHINE.cpu}, ${MACHINE.cores} cores, ${MACHINE.memoryGiB} GiB, ${MACHINE.os}, ${MACHINE.runtime}`,
    );
  }
}

await main();
