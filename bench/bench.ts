/**
 * `deno task bench [--json] [--only NAME,...] [--steps N] [--threads N] [--workload-epochs E]`: training throughput, the
 * machine's matrix-product limit and metric cost, with baselines measured in the same run.
 * `deno task bench --backend webgpu|tensorflow|native [--batch 128] [--models a,b] [--no-paper-run]`
 * runs the accelerator benchmark of `device_bench.ts` instead.
 *
 * - `mlp`: MLP 784-512-512-10 (ReLU), batch 128, SGD with momentum, CE; samples/s on `native`
 *   (OpenBLAS/oneDNN, `--threads`), on wasm with the project's kernels and with the stock ones;
 * - `resnet18`: CIFAR ResNet-18 at width 0.25 (stages 16/32/64/128), batch 32, 32×32×3; samples/s
 *   on `native`, on wasm and on the cpu backend (one step);
 * - `sgemm`: GFLOP/s of a 1024² float32 product through OpenBLAS with the native thread count: the
 *   practical arithmetic limit of this machine;
 * - `nc_metrics`: seconds for both streaming passes over 60,000 × 512 features, K = 10;
 * - `pytorch`: the same MLP and ResNet-18 in PyTorch on the CPU (`bench/torch_bench.py`) with 1
 *   thread and with the native thread count, when `python3 -c "import torch"` works; the native
 *   rows report their ratio to PyTorch's best;
 * - `profile`: the kernels of one native training step of each model, by total time, and of one
 *   step of six workload runs trained as a pack on one thread (not in the default run);
 * - `evaluation`: the share of an epoch of the `cpu` NC-dynamics run (one seed, CE, native, one
 *   thread) spent validating on its 6,000 held-out images, as the trainer validates (the split
 *   normalised once, 8,192 samples per forward pass) and assembled batch by batch at the training
 *   batch size, measured alternately in one process, against its training epoch alone and in a pack
 *   of six (per run); and the seconds of one evaluation epoch (NC metrics of the training split and
 *   of every hidden layer, the test set);
 * - `workload` (not in the default run; minutes): the reproduction's own workload, the `cpu`
 *   NC-dynamics configuration for the four losses × 3 seeds at a shortened budget
 *   (`--workload-epochs`, default 200), in runs × epochs per second: the project's sweep with two jobs
 *   of one thread each, each run alone (`--pack off`) and packed (`--pack auto`), and
 *   `bench/torch_workload.py` training the same runs on the same images as a PyTorch user would here
 *   (one process per core, one thread each), in the same run.
 *
 * Inputs and weights are seeded; timings exclude a warm-up. With `--json`, one JSON object per line.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { spawn, spawnSync } from "node:child_process";
import { cpus, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import process from "node:process";
import { initBackend } from "../lib/backend/backend.ts";
import { deviceBench } from "./device_bench.ts";
import { trainingStep, trainThroughput } from "./training_step.ts";
import { PackedTrainer } from "../lib/training/packed_trainer.ts";
import { openNativeLibraries, resolveThreadCount } from "../lib/backend/native_libraries.ts";
import { nativeRuntime } from "../lib/backend/native_backend.ts";
import { ClassMeanAccumulator, WithinClassAccumulator } from "../lib/core/nc_accumulators.ts";
import { ncMetrics } from "../lib/core/nc_metrics.ts";
import { matrix } from "../lib/core/linalg.ts";
import { createRng } from "../lib/core/random.ts";
import { buildMlp } from "../lib/models/mlp.ts";
import type { Network } from "../lib/models/network.ts";
import { buildResNet18 } from "../lib/models/resnet.ts";
import { DEBIAN_PYTHON } from "../lib/notebook/execute.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { expandGrid, sweep } from "../lib/experiments/sweep.ts";
import { figureGrid } from "../lib/experiments/figure_presets.ts";
import { evaluationEpochs } from "../lib/training/config.ts";
import { learningRate } from "../lib/training/schedule.ts";
import { prepareData, Trainer } from "../lib/training/train.ts";
import { evaluationPass } from "../lib/training/evaluate.ts";
import { FASHION_MNIST_DIR } from "../lib/data/idx.ts";

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
  gflop_per_s?: number;
  seconds?: number;
  ratio_to_pytorch?: number;
  runs_epochs_per_s?: number;
  note?: string;
}

/** One line per result (or one JSON object with the machine, with `json`). */
function printResults(results: readonly Result[], json: boolean): void {
  const variantWidth = Math.max(0, ...results.map((r) => (r.variant ?? "").length));
  for (const r of results) {
    if (json) {
      console.log(JSON.stringify({ ...r, machine: MACHINE }));
      continue;
    }
    const value = r.samples_per_s !== undefined
      ? `${r.samples_per_s.toFixed(1)} samples/s${r.note ? `  ${r.note}` : ""}`
      : r.runs_epochs_per_s !== undefined
      ? `${r.runs_epochs_per_s.toFixed(2)} runs × epochs/s${r.note ? `  ${r.note}` : ""}`
      : r.gflop_per_s !== undefined
      ? `${r.gflop_per_s.toFixed(1)} GFLOP/s`
      : r.seconds !== undefined
      ? `${r.seconds.toFixed(r.seconds < 1 ? 4 : 1)} s${r.note ? `  ${r.note}` : ""}`
      : r.note;
    const ratio = r.ratio_to_pytorch !== undefined ? `  (${r.ratio_to_pytorch.toFixed(2)}× PyTorch's best)` : "";
    console.log(
      `${r.name.padEnd(18)} ${r.backend.padEnd(11)} ${(r.variant ?? "").padEnd(variantWidth)} ${value}${ratio}`,
    );
  }
}

function mlp(): Network {
  return buildMlp({ inputShape: [784], numClasses: 10, width: 512, depth: 2, seed: 0 });
}

function resnet18(): Network {
  return buildResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 0.25, seed: 0 });
}

async function benchMlp(steps: number, threads: number): Promise<Result[]> {
  const out: Result[] = [];
  const variants = [
    ["native", `${threads} thread${threads === 1 ? "" : "s"}`, true],
    ["wasm", "project kernels", true],
    ["wasm", "stock kernels", false],
  ] as const;
  for (const [backend, variant, projectKernels] of variants) {
    await initBackend({ backend, quiet: true, projectKernels, threads });
    const net = mlp();
    const n = variant === "stock kernels"
      ? Math.max(3, Math.round(steps / 4))
      : backend === "native"
      ? 5 * steps
      : steps;
    out.push({ name: "mlp", backend, variant, samples_per_s: await trainThroughput(net, 128, n, 3) });
    net.model.dispose();
  }
  await initBackend({ backend: "wasm", quiet: true, projectKernels: true });
  return out;
}

async function benchResNet18(steps: number, threads: number): Promise<Result[]> {
  const out: Result[] = [];
  // The cpu backend needs minutes per step here: one step, no warm-up.
  const variants = [["native", 4 * steps, 3], ["wasm", steps, 2], ["cpu", 1, 0]] as const;
  for (const [backend, n, warmup] of variants) {
    await initBackend({ backend, quiet: true, threads });
    const net = resnet18();
    const variant = `width 0.25, batch 32${
      backend === "native" ? `, ${threads} thread${threads === 1 ? "" : "s"}` : ""
    }`;
    const samples = await trainThroughput(net, 32, n, warmup);
    // Which oneDNN kernels ran (the instruction set is in their names, e.g. jit:avx512_core).
    const runtime = backend === "native" ? nativeRuntime() : null;
    const kernels = runtime
      ? [...new Set(Object.values(runtime.convolutions.implementations()))].sort().join(", ")
      : undefined;
    out.push({
      name: "resnet18",
      backend,
      variant,
      samples_per_s: samples,
      ...(kernels ? { note: `oneDNN convolutions: ${kernels}` } : {}),
    });
    net.model.dispose();
  }
  return out;
}

async function benchSgemm(threads: number): Promise<Result[]> {
  await initBackend({ backend: "native", quiet: true, threads });
  const { blas } = openNativeLibraries();
  const n = 1024, reps = 30;
  const rng = createRng(1);
  const [a, b, c] = [0, 1, 2].map((i) => Float32Array.from({ length: n * n }, () => (i < 2 ? rng.normal() : 0)));
  const product = () => blas.cblas_sgemm(101, 111, 111, n, n, n, 1, a, n, b, n, 0, c, n);
  for (let i = 0; i < 3; i++) product();
  const start = performance.now();
  for (let i = 0; i < reps; i++) product();
  const seconds = (performance.now() - start) / 1000;
  return [{
    name: "sgemm",
    backend: "openblas",
    variant: `1024², ${threads} thread${threads === 1 ? "" : "s"}`,
    gflop_per_s: (2 * n ** 3 * reps) / seconds / 1e9,
  }];
}

/**
 * One step of six runs of the workload (the `cpu` NC-dynamics configuration, losses × seeds 1–2)
 * trained as a pack, on one thread as a sweep job runs.
 */
function packedStep(): { step: () => Promise<void>; dispose: () => void } {
  const configs = expandGrid({ ...figureGrid("nc_dynamics", "cpu"), seeds: [1, 2] }).slice(0, 6);
  const data = prepareData(configs[0]);
  const trainers = configs.map((c) => new Trainer(c, data));
  const pack = new PackedTrainer(trainers);
  const batches = trainers.map((t) => t.epochBatches(1).next().value!);
  const step = async () => {
    const stats = pack.trainStep(batches, configs.map(() => 0.01));
    await stats.data();
    stats.dispose();
  };
  return { step, dispose: () => (pack.dispose(), trainers.forEach((t) => t.dispose())) };
}

async function profile(threads: number): Promise<Result[]> {
  const out: Result[] = [];
  const alone = (build: () => Network, batch: number) => () => {
    const net = build();
    const { step, dispose } = trainingStep(net, batch);
    return { step, dispose: () => (dispose(), net.model.dispose()) };
  };
  const models = [
    ["mlp", threads, alone(mlp, 128)],
    ["resnet18", threads, alone(resnet18, 32)],
    ["packed_mlp", 1, packedStep],
  ] as const;
  for (const [name, n, make] of models) {
    await initBackend({ backend: "native", quiet: true, threads: n });
    const { step, dispose } = make();
    for (let i = 0; i < 3; i++) await step();
    const start = performance.now();
    const info = await tf.profile(step);
    const wall = performance.now() - start;
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      // Op scopes (names ending in __op) contain their kernels: count the kernels only.
      if (k.name.endsWith("__op") || k.name === "unnamed scope") continue;
      const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += k.kernelTimeMs as number;
      entry.calls++;
      byKernel.set(k.name, entry);
    }
    const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
    for (const [kernel, { ms, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
      out.push({
        name: `profile_${name}`,
        backend: "native",
        variant: `${kernel} ×${calls}`,
        seconds: ms / 1000,
        note: `${((100 * ms) / total).toFixed(1)} % of ${total.toFixed(1)} ms in kernels (step ${
          wall.toFixed(1)
        } ms, profiled)`,
      });
    }
    dispose();
  }
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

/** Milliseconds per epoch of training and of validation, both ways (see the module's list). */
async function benchEvaluation(epochs = 12): Promise<Result[]> {
  await initBackend({ backend: "native", quiet: true, threads: 1 });
  const config = expandGrid(figureGrid("nc_dynamics", "cpu"))[0];
  const trainer = new Trainer(config, prepareData(config));
  const ms = { train: 0, prepared: 0, assembled: 0 };
  const warmup = 2;
  for (let epoch = 1; epoch <= epochs + warmup; epoch++) {
    const t0 = performance.now();
    await trainer.trainEpoch(epoch);
    const t1 = performance.now();
    await trainer.validate();
    const t2 = performance.now();
    const data = trainer.data;
    await evaluationPass(trainer.net, data.train, data.valIndices, { loss: config.loss, batchSize: config.batchSize });
    const t3 = performance.now();
    if (epoch <= warmup) continue;
    ms.train += (t1 - t0) / epochs;
    ms.prepared += (t2 - t1) / epochs;
    ms.assembled += (t3 - t2) / epochs;
  }
  // An evaluation epoch: the training split's metrics (every hidden layer's too) and the test set.
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await trainer.evaluate(epochs, { loss: 0, accuracy: 0 }, 0);
  const evaluation = (performance.now() - t0) / 3;
  trainer.dispose();
  // The same epoch in a pack of six runs (the workload's packs), per run.
  const packConfigs = expandGrid({ ...figureGrid("nc_dynamics", "cpu"), seeds: [1, 2] }).slice(0, 6);
  const packData = prepareData(packConfigs[0]);
  const trainers = packConfigs.map((c) => new Trainer(c, packData));
  const pack = new PackedTrainer(trainers);
  let packed = 0;
  for (let epoch = 1; epoch <= epochs + warmup; epoch++) {
    const start = performance.now();
    await pack.trainEpoch(epoch);
    pack.copyToRuns();
    if (epoch > warmup) packed += (performance.now() - start) / epochs / trainers.length;
  }
  pack.dispose();
  for (const t of trainers) t.dispose();
  const row = (variant: string, validation: number, training: number, how: string): Result => ({
    name: "evaluation",
    backend: "native",
    variant,
    seconds: validation / 1000,
    note: `validation per epoch; ${(100 * validation / (validation + training)).toFixed(0)} % of an epoch (training ${
      training.toFixed(0)
    } ms ${how})`,
  });
  return [
    row("as the trainer validates", ms.prepared, ms.train, "alone"),
    row("as the trainer validates", ms.prepared, packed, "a run, in a pack of 6"),
    row(`batch by batch, ${config.batchSize} a pass`, ms.assembled, ms.train, "alone"),
    {
      name: "evaluation",
      backend: "native",
      variant: "an evaluation epoch",
      seconds: evaluation / 1000,
      note: "NC metrics of the training split and of every hidden layer, and the test set, a run",
    },
  ];
}

/**
 * The `cpu` NC-dynamics runs (4 losses × seeds 1–3) at a budget of `epochs`: the project's sweep
 * with two jobs of one thread, each run alone (`--pack off`) and packed (`--pack auto`: two packs of
 * six), then PyTorch in two processes of one thread on the same runs.
 */
async function benchWorkload(epochs: number): Promise<Result[]> {
  const grid = figureGrid("nc_dynamics", "cpu");
  const evalEpochs = [...(grid.base.evalEpochs as number[]).filter((e) => e < epochs), epochs];
  const configs = expandGrid({ ...grid, base: { ...grid.base, evalEpochs }, epochs: [epochs], seeds: [1, 2, 3] });
  const jobs = 2, total = configs.length * epochs;
  const dir = mkdtempSync(join(tmpdir(), "nc-workload-"));
  try {
    await initBackend({ backend: "native", quiet: true });
    const out: Result[] = [];
    for (const pack of ["off", "auto"] as const) {
      const start = performance.now();
      await sweep(configs, { runsDir: join(dir, `runs-${pack}`), jobs, threads: 1, pack, log: () => {} });
      out.push({
        name: "workload",
        backend: "native",
        variant: `${configs.length} runs × ${epochs} epochs, ${jobs} jobs × 1 thread, --pack ${pack}`,
        runs_epochs_per_s: total / ((performance.now() - start) / 1000),
      });
    }

    const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import torch"], { encoding: "utf8" });
    if (probe.status !== 0) {
      out.push({ name: "workload", backend: "none", note: "python3 cannot import torch: no PyTorch row" });
      return out;
    }
    const first = prepareData(configs[0]);
    const spec = {
      dataDir: FASHION_MNIST_DIR,
      mean: first.train.normalization?.mean[0] ?? 0,
      std: first.train.normalization?.std[0] ?? 1,
      width: configs[0].width,
      depth: configs[0].depth,
      batchSize: configs[0].batchSize,
      momentum: configs[0].momentum,
      weightDecay: configs[0].weightDecay,
      clipNorm: configs[0].clipNorm,
      lrs: Array.from(
        { length: epochs },
        (_, i) => learningRate(i + 1, { epochs, base: configs[0].lr, kind: configs[0].schedule }),
      ),
      evalEpochs: evaluationEpochs(configs[0].evalEpochs, epochs),
      runs: configs.map((c) => {
        const data = prepareData(c);
        return { loss: c.loss, seed: c.seed, trainIndices: [...data.trainIndices], valIndices: [...data.valIndices] };
      }),
    };
    const specFile = join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const script = join(here, "torch_workload.py");
    const shares = Array.from({ length: jobs }, (_, j) => configs.map((_, i) => i).filter((i) => i % jobs === j));
    const t0 = performance.now();
    const processes = shares.map((runs) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(DEBIAN_PYTHON, [script, "--spec", specFile, "--runs", runs.join(",")], {
          stdio: ["ignore", "ignore", "pipe"],
          env: torchThreads(1),
        });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) =>
          code === 0 ? resolve() : reject(new Error(`torch_workload.py: ${stderr.trim().split("\n").at(-1)}`)));
      })
    );
    await Promise.all(processes);
    const torch = total / ((performance.now() - t0) / 1000);
    for (const row of out) row.ratio_to_pytorch = row.runs_epochs_per_s! / torch;
    out.push({
      name: "workload",
      backend: "pytorch-cpu",
      variant: `${configs.length} runs × ${epochs} epochs, ${jobs} processes × 1 thread`,
      runs_epochs_per_s: torch,
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The environment of a PyTorch process limited to `threads`: `torch.set_num_threads` sets
 * PyTorch's own (OpenMP) threads, but Debian's PyTorch multiplies matrices in OpenBLAS, whose
 * pthreads build starts one thread per core unless OPENBLAS_NUM_THREADS says otherwise (measured
 * here: a 6000×784 by 784×256 product at 94 GFLOP/s with one OpenBLAS thread, 177 with the default
 * two, under `torch.set_num_threads(1)`).
 */
function torchThreads(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

function benchPyTorch(steps: number, threads: number): Result[] {
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return [{
      name: "pytorch",
      backend: "none",
      note: "python3 cannot import torch; install Debian's python3-torch for the peer baseline",
    }];
  }
  const out: Result[] = [];
  for (const n of [...new Set([1, threads])]) {
    const script = join(here, "torch_bench.py");
    const run = spawnSync(DEBIAN_PYTHON, [script, "--steps", String(steps), "--threads", String(n)], {
      encoding: "utf8",
      env: torchThreads(n),
    });
    if (run.status !== 0) {
      return [{
        name: "pytorch",
        backend: "none",
        note: `torch_bench.py failed: ${run.stderr.trim().split("\n").at(-1)}`,
      }];
    }
    out.push(...run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Result));
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      json: { type: "boolean" },
      only: { type: "string" },
      steps: { type: "string" },
      threads: { type: "string" },
      backend: { type: "string" },
      batch: { type: "string" },
      models: { type: "string" },
      "no-paper-run": { type: "boolean" },
      "workload-epochs": { type: "string" },
    },
    strict: true,
  });
  if (values.backend) {
    const rows = await deviceBench(values.backend, {
      batch: Number(values.batch ?? 128),
      steps: Number(values.steps ?? 10),
      models: values.models?.split(","),
      paperRun: !values["no-paper-run"],
      log: (line) => console.error(line),
    });
    printResults(rows, values.json === true);
    return;
  }
  const steps = Number(values.steps ?? 20);
  const threads = resolveThreadCount(values.threads === undefined ? undefined : Number(values.threads));
  const only = values.only?.split(",");
  const want = (name: string) => (only ? only.includes(name) : !["profile", "evaluation", "workload"].includes(name));
  const results: Result[] = [];
  if (want("mlp")) results.push(...await benchMlp(steps, threads));
  if (want("resnet18")) results.push(...await benchResNet18(Math.max(3, Math.round(steps / 4)), threads));
  if (want("sgemm")) results.push(...await benchSgemm(threads));
  if (want("nc_metrics")) results.push(...benchNcMetrics());
  if (want("pytorch")) {
    const torch = benchPyTorch(steps, threads);
    results.push(...torch);
    for (const r of results) {
      // The comparison is with PyTorch at its best thread count on this machine.
      const best = Math.max(
        ...torch.filter((t) => t.name === `pytorch_${r.name}`).map((t) => t.samples_per_s ?? 0),
      );
      if (best > 0 && r.samples_per_s && r.backend !== "pytorch-cpu") r.ratio_to_pytorch = r.samples_per_s / best;
    }
  }
  if (want("profile")) results.push(...await profile(threads));
  if (want("evaluation")) results.push(...await benchEvaluation());
  if (want("workload")) results.push(...await benchWorkload(Number(values["workload-epochs"] ?? 200)));
  printResults(results, values.json === true);
  if (!values.json) {
    console.log(
      `\nmachine: ${MACHINE.cpu}, ${MACHINE.cores} cores, ${MACHINE.memoryGiB} GiB, ${MACHINE.os}, ${MACHINE.runtime}`,
    );
  }
}

await main();
