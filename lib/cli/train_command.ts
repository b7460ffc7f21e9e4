/**
 * `nc train`: train (or resume, or return) one run (`training/run.ts`).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { initBackend } from "../backend/backend.ts";
import { runTraining } from "../training/run.ts";
import { terminalProgress } from "../present/progress.ts";
import { normalizeTrainConfig } from "../training/config.ts";
import { describeRecipe, RECIPE_KEYS } from "../training/recipes.ts";
import { CliError, type Command, LOSS_FLAGS, lossFromFlags, numberFlag, parseFlags, writeJson } from "./args.ts";

const HELP = `Usage: deno task nc train [options]

Trains one run (or resumes it from its checkpoint, or returns it when it is done) and prints its
run directory. A run is identified by its normalised configuration.

Options (defaults: the project recipe, which is neither of the reference code's; docs/method.md §6):
  --recipe NAME         project (default) | reference-a | reference-b: sets reduction, batch size,
                        schedule, lr, momentum, weight decay and clipping together. reference-a is the
                        May-2022 reference code (sum reduction, batch 128), reference-b its public
                        release (mean reduction, batch 100); both decay the lr one epoch early
  --dataset NAME        fashion-mnist (default) | mnist | cifar10 | cifar100 | synthetic
  --data-dir DIR        where the dataset's files are
  --model NAME          mlp (default) | resnet18 | resnet50
  --width W             MLP hidden units (default 512) or ResNet width multiplier (default 1)
  --depth D             MLP hidden layers (default 3)
  --batch-norm yes|no   batch norm in the MLP (default no)
  --loss NAME           ce (default) | fl | ls | mse, with --gamma G | --alpha A | --M M
  --epochs E            epochs (default 30)
  --batch-size B        batch size (default 128)
  --lr LR               base learning rate (default 0.1), ×0.1 at int(3E/7) and int(5E/7)
  --schedule KIND       standard (default) | reference (decays one epoch early, as the reference code)
  --momentum M          (default 0.9)
  --weight-decay WD     coupled, on every parameter (default 5e-4)
  --clip-norm C         global gradient-norm clipping before weight decay (default 2; 0 disables)
  --reduction R         mean (default) | sum (MSE: over batch and classes, as the reference code)
  --seed S              initialisation, data order and augmentation (default 0)
  --eval-epochs SPEC    auto (every max(1, E/100) epochs) | 1,5,10 | log:N (default auto)
  --augment yes|no      random crop and flip while training (default: yes for CIFAR)
  --eval-augment yes|no augmented images for NC metrics and train accuracy (default: as --augment)
  --per-class N         training samples kept per class (default: all)
  --val-fraction F      validation hold-out (default 0.1)
  --config FILE         a JSON configuration; flags override its keys
  --runs-dir DIR        the run store (default runs)
  --backend NAME        auto (default: tensorflow, webgpu on a GPU, native, wasm) | native | wasm | cpu |
                        tensorflow | webgpu (or NC_BACKEND)
  --threads N           threads of the native backend's libraries (default NC_THREADS, else every core)
  --json                print one JSON object: run directory, status and final metrics
  --quiet               no progress bar
  --retry-failed        train a failed (diverged) run again from its last checkpoint
  -h, --help            this help`;

function yesNo(values: Record<string, unknown>, flag: string): boolean | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  if (raw === "yes" || raw === "true") return true;
  if (raw === "no" || raw === "false") return false;
  throw new CliError(`--${flag} must be yes or no, got "${raw}"`);
}

function evalEpochs(raw: string | undefined): unknown {
  if (raw === undefined || raw === "auto") return raw;
  const log = /^log:(\d+)$/.exec(raw);
  if (log) return { logSpaced: Number(log[1]) };
  const list = raw.split(",").map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n))) {
    throw new CliError(`--eval-epochs must be auto, a list such as 1,5,10, or log:N; got "${raw}"`);
  }
  return list;
}

/** The `train` subcommand. */
export const trainCommand: Command = {
  name: "train",
  summary: "train, resume or return one deep-network run",
  help: HELP,
  async run(argv, io) {
    const flag = { type: "string" } as const;
    const { values } = parseFlags(argv, {
      ...LOSS_FLAGS,
      recipe: flag,
      dataset: flag,
      "data-dir": flag,
      model: flag,
      width: flag,
      depth: flag,
      "batch-norm": flag,
      epochs: flag,
      "batch-size": flag,
      lr: flag,
      schedule: flag,
      momentum: flag,
      "weight-decay": flag,
      "clip-norm": flag,
      reduction: flag,
      seed: flag,
      "eval-epochs": flag,
      augment: flag,
      "eval-augment": flag,
      "per-class": flag,
      "val-fraction": flag,
      config: flag,
      "runs-dir": flag,
      backend: flag,
      threads: flag,
      json: { type: "boolean" },
      quiet: { type: "boolean" },
      "retry-failed": { type: "boolean" },
    }, "train");
    let base: Record<string, unknown> = {};
    if (values.config) {
      try {
        base = JSON.parse(readFileSync(values.config, "utf8"));
      } catch (error) {
        throw new CliError(`${values.config}: ${(error as Error).message}`);
      }
    }
    const overrides: Record<string, unknown> = {
      recipe: values.recipe,
      dataset: values.dataset,
      model: values.model,
      width: numberFlag(values, "width"),
      depth: numberFlag(values, "depth"),
      batchNorm: yesNo(values, "batch-norm"),
      loss: values.loss || values.gamma || values.alpha || values.M ? lossFromFlags(values) : undefined,
      epochs: numberFlag(values, "epochs"),
      batchSize: numberFlag(values, "batch-size"),
      lr: numberFlag(values, "lr"),
      schedule: values.schedule,
      momentum: numberFlag(values, "momentum"),
      weightDecay: numberFlag(values, "weight-decay"),
      clipNorm: numberFlag(values, "clip-norm"),
      reduction: values.reduction,
      seed: numberFlag(values, "seed"),
      evalEpochs: evalEpochs(values["eval-epochs"]),
      augment: yesNo(values, "augment"),
      evalAugment: yesNo(values, "eval-augment"),
      perClass: numberFlag(values, "per-class"),
      valFraction: numberFlag(values, "val-fraction"),
    };
    const config = { ...base };
    for (const [key, value] of Object.entries(overrides)) if (value !== undefined) config[key] = value;
    if (config.augment !== undefined && config.evalAugment === undefined) config.evalAugment = config.augment;
    // A flag that changes a recipe setting of a --config file makes that file's recipe label stale.
    if (values.recipe === undefined && RECIPE_KEYS.some((key) => overrides[key] !== undefined)) delete config.recipe;
    const normalized = normalizeTrainConfig(config);
    io.stderr(`[nc] recipe ${describeRecipe(normalized.recipe, normalized)}\n`);
    const backend = await initBackend({ backend: values.backend, threads: numberFlag(values, "threads") });
    const run = await runTraining(normalized, {
      runsDir: values["runs-dir"],
      dataDir: values["data-dir"],
      onBatch: values.quiet ? undefined : terminalProgress(),
      retryFailed: values["retry-failed"],
      log: (line) => io.stderr(line + "\n"),
    });
    const final = run.rows.at(-1) ?? null;
    if (values.json) {
      writeJson(io, {
        runDir: run.dir,
        id: run.id,
        status: run.status.state,
        reason: run.status.reason ?? null,
        backend,
        epoch: run.status.epoch,
        summary: run.status.summary ?? null,
        final,
      });
    } else {
      io.stdout(run.dir + "\n");
      if (final) {
        io.stderr(
          `[nc] ${run.status.state} after epoch ${run.status.epoch}: test accuracy ${
            (100 * final.testAccuracy).toFixed(2)
          }%, NC1 ${final.nc1.toExponential(3)}\n`,
        );
      }
    }
    if (run.status.state === "failed") {
      io.stderr(`error: run failed: ${run.status.reason}\n`);
      return 1;
    }
    return 0;
  },
};
