/**
 * Training-run configuration: typed, JSON-serialisable, validated (unknown keys and bad values are
 * errors naming the key), normalised (defaults filled in), and identified by a content hash.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type LossSpec, parseLossSpec } from "../core/losses.ts";
import { DATASET_NAMES, type DatasetName } from "../data/load.ts";
import { RECIPE_KEYS, RECIPE_NAMES, type RecipeLabel, recipeOf, RECIPES } from "./recipes.ts";

/** Model names. */
export const MODEL_NAMES = ["mlp", "resnet18", "resnet50"] as const;
/** A model name. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** When to evaluate: "auto" (every max(1, ⌊E/100⌋) epochs and the last), a list of epochs, or n log-spaced epochs. */
export type EvalSchedule = "auto" | number[] | { logSpaced: number };

/** Options of the synthetic Gaussian mixture. */
export interface SyntheticConfig {
  numClasses: number;
  dim: number;
  trainPerClass: number;
  testPerClass: number;
  separation: number;
}

/** A fully specified training run (every default filled in). */
export interface TrainConfig {
  dataset: DatasetName;
  /** CIFAR-100 label set. */
  cifar100Labels: "fine" | "coarse";
  /** Options of the synthetic dataset (null for the others). */
  synthetic: SyntheticConfig | null;
  model: ModelName;
  /** Hidden units for the MLP; channel multiplier for the ResNets. */
  width: number;
  /** Hidden layers of the MLP (ignored by the ResNets). */
  depth: number;
  /** Batch norm in the MLP (the ResNets always have it). */
  batchNorm: boolean;
  loss: LossSpec;
  /**
   * The recipe the optimisation settings below amount to (`recipes.ts`): given as input, it fills
   * in those settings; stored, it is derived from them (`custom` when they match no recipe).
   */
  recipe: RecipeLabel;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Global-norm gradient clipping (0: off). */
  clipNorm: number;
  schedule: "standard" | "reference";
  reduction: "mean" | "sum";
  seed: number;
  evalEpochs: EvalSchedule;
  /** Random crop and flip during training (CIFAR recipe). */
  augment: boolean;
  /** Whether the NC metrics and train accuracy see augmented images (the reference code does). */
  evalAugment: boolean;
  /** Fraction of the training set held out for validation, and the seed of that split. */
  valFraction: number;
  splitSeed: number;
  /** Training samples kept per class (null: all), for CPU-scale runs. */
  perClass: number | null;
}

/** A configuration key or value that is not valid. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const SYNTHETIC_DEFAULTS: SyntheticConfig = {
  numClasses: 4,
  dim: 16,
  trainPerClass: 100,
  testPerClass: 50,
  separation: 4,
};

function defaults(
  dataset: DatasetName,
  model: ModelName,
): Omit<TrainConfig, "dataset" | "model" | "loss" | "recipe"> {
  const cifar = dataset === "cifar10" || dataset === "cifar100";
  return {
    cifar100Labels: "fine",
    synthetic: dataset === "synthetic" ? SYNTHETIC_DEFAULTS : null,
    width: model === "mlp" ? 512 : 1,
    depth: 3,
    batchNorm: false,
    epochs: 30,
    // batchSize, lr, momentum, weightDecay, clipNorm, schedule, reduction: the project recipe's.
    ...RECIPES.project,
    seed: 0,
    evalEpochs: "auto",
    augment: cifar,
    evalAugment: cifar,
    valFraction: 0.1,
    splitSeed: 1,
    perClass: null,
  };
}

const KEYS = [
  "dataset",
  "cifar100Labels",
  "synthetic",
  "model",
  "width",
  "depth",
  "batchNorm",
  "loss",
  "recipe",
  "epochs",
  "batchSize",
  "lr",
  "momentum",
  "weightDecay",
  "clipNorm",
  "schedule",
  "reduction",
  "seed",
  "evalEpochs",
  "augment",
  "evalAugment",
  "valFraction",
  "splitSeed",
  "perClass",
] as const;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`config "${key}" must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function numberIn(value: unknown, key: string, check: (v: number) => boolean, rule: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !check(value)) {
    throw new ConfigError(`config "${key}" must be ${rule}; got ${JSON.stringify(value)}`);
  }
  return value;
}

const positiveInt = (v: number) => Number.isInteger(v) && v > 0;

/**
 * Validates a (partial) configuration and fills in the defaults.
 *
 * @example
 * ```ts
 * const config = normalizeTrainConfig({ dataset: "fashion-mnist", model: "mlp", loss: { name: "ce" }, epochs: 30 });
 * ```
 */
export function normalizeTrainConfig(input: unknown): TrainConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError("config must be a JSON object");
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown config key "${key}" (allowed: ${KEYS.join(", ")})`);
    }
  }
  const dataset = oneOf(raw.dataset ?? "fashion-mnist", DATASET_NAMES, "dataset");
  const model = oneOf(raw.model ?? "mlp", MODEL_NAMES, "model");
  let loss: LossSpec;
  try {
    loss = parseLossSpec(raw.loss ?? { name: "ce" });
  } catch (error) {
    throw new ConfigError(`config "loss": ${(error as Error).message}`);
  }
  const recipe = raw.recipe === undefined ? "custom" : oneOf(raw.recipe, [...RECIPE_NAMES, "custom"], "recipe");
  const fixed = recipe === "custom" ? {} : RECIPES[recipe];
  if (recipe !== "custom") {
    for (const key of RECIPE_KEYS) {
      if (raw[key] !== undefined && raw[key] !== fixed[key as keyof typeof fixed]) {
        throw new ConfigError(
          `config "${key}" is ${JSON.stringify(raw[key])} but recipe "${recipe}" sets ${
            JSON.stringify(fixed[key as keyof typeof fixed])
          }; drop one of them (without "recipe" the settings are taken as given)`,
        );
      }
    }
  }
  const c = { ...defaults(dataset, model), ...fixed, ...raw, dataset, model, loss } as TrainConfig;
  if (c.synthetic !== null) {
    if (dataset !== "synthetic") throw new ConfigError(`config "synthetic" applies only to dataset "synthetic"`);
    const s = { ...SYNTHETIC_DEFAULTS, ...(c.synthetic as object) } as SyntheticConfig;
    for (const key of Object.keys(s)) {
      if (!(key in SYNTHETIC_DEFAULTS)) throw new ConfigError(`unknown config key "synthetic.${key}"`);
    }
    for (const key of ["numClasses", "dim", "trainPerClass", "testPerClass"] as const) {
      numberIn(s[key], `synthetic.${key}`, positiveInt, "a positive integer");
    }
    numberIn(s.separation, "synthetic.separation", (v) => v >= 0, "≥ 0");
    c.synthetic = s;
  }
  oneOf(c.cifar100Labels, ["fine", "coarse"], "cifar100Labels");
  numberIn(
    c.width,
    "width",
    model === "mlp" ? positiveInt : (v) => v > 0,
    model === "mlp" ? "a positive integer (hidden units)" : "> 0 (width multiplier)",
  );
  numberIn(c.depth, "depth", positiveInt, "a positive integer");
  for (const key of ["batchNorm", "augment", "evalAugment"] as const) {
    if (typeof c[key] !== "boolean") {
      throw new ConfigError(`config "${key}" must be true or false; got ${JSON.stringify(c[key])}`);
    }
  }
  numberIn(c.epochs, "epochs", positiveInt, "a positive integer");
  numberIn(c.batchSize, "batchSize", positiveInt, "a positive integer");
  numberIn(c.lr, "lr", (v) => v > 0, "> 0");
  numberIn(c.momentum, "momentum", (v) => v >= 0 && v < 1, "in [0, 1)");
  numberIn(c.weightDecay, "weightDecay", (v) => v >= 0, "≥ 0");
  numberIn(c.clipNorm, "clipNorm", (v) => v >= 0, "≥ 0 (0 disables clipping)");
  oneOf(c.schedule, ["standard", "reference"], "schedule");
  oneOf(c.reduction, ["mean", "sum"], "reduction");
  numberIn(c.seed, "seed", Number.isInteger, "an integer");
  numberIn(c.valFraction, "valFraction", (v) => v > 0 && v < 1, "in (0, 1)");
  numberIn(c.splitSeed, "splitSeed", Number.isInteger, "an integer");
  if (c.perClass !== null) numberIn(c.perClass, "perClass", positiveInt, "a positive integer or null");
  c.evalEpochs = normalizeEvalSchedule(c.evalEpochs, c.epochs);
  c.recipe = recipeOf(c);
  return Object.fromEntries(KEYS.map((k) => [k, c[k]])) as unknown as TrainConfig;
}

function normalizeEvalSchedule(value: unknown, epochs: number): EvalSchedule {
  if (value === "auto") return value;
  if (Array.isArray(value)) {
    const list = [...new Set(value)].sort((a, b) => a - b);
    for (const e of list) {
      numberIn(e, "evalEpochs[]", (v) => positiveInt(v) && v <= epochs, `an epoch in [1, ${epochs}]`);
    }
    if (list.length === 0) throw new ConfigError(`config "evalEpochs" must not be empty`);
    return list;
  }
  if (typeof value === "object" && value !== null && "logSpaced" in value && Object.keys(value).length === 1) {
    numberIn((value as { logSpaced: unknown }).logSpaced, "evalEpochs.logSpaced", positiveInt, "a positive integer");
    return value as { logSpaced: number };
  }
  throw new ConfigError(
    `config "evalEpochs" must be "auto", a list of epochs or { "logSpaced": n }; got ${JSON.stringify(value)}`,
  );
}

/**
 * The epochs at which a run evaluates, ascending, always including the last.
 *
 * @example
 * ```ts
 * evaluationEpochs("auto", 30);                 // [1, 2, …, 30]
 * evaluationEpochs({ logSpaced: 4 }, 800);      // [1, 9, 85, 800]
 * ```
 */
export function evaluationEpochs(schedule: EvalSchedule, epochs: number): number[] {
  let list: number[];
  if (schedule === "auto") {
    const every = Math.max(1, Math.floor(epochs / 100));
    list = Array.from({ length: Math.floor(epochs / every) }, (_, i) => (i + 1) * every);
  } else if (Array.isArray(schedule)) {
    list = schedule;
  } else {
    const n = schedule.logSpaced;
    list = Array.from({ length: n }, (_, i) => Math.round(Math.exp((Math.log(epochs) * i) / Math.max(1, n - 1))));
  }
  return [...new Set([...list, epochs])].sort((a, b) => a - b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${
      Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
        .join(",")
    }}`;
  }
  return JSON.stringify(value);
}

/**
 * The keys (dotted for nested values) in which two configurations differ, sorted; none when they
 * describe the same run.
 *
 * @example
 * ```ts
 * const a = normalizeTrainConfig({ loss: { name: "fl" } });
 * configDifferences(a, { ...a, seed: 2, loss: { name: "fl", gamma: 1 } }); // ["loss.gamma", "seed"]
 * ```
 */
export function configDifferences(a: TrainConfig, b: TrainConfig): string[] {
  const differ = (x: unknown, y: unknown, path: string): string[] => {
    const isRecord = (v: unknown): v is Record<string, unknown> =>
      v !== null && typeof v === "object" && !Array.isArray(v);
    if (isRecord(x) && isRecord(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      return keys.flatMap((k) => differ(x[k], y[k], path ? `${path}.${k}` : k));
    }
    return canonical(x) === canonical(y) ? [] : [path];
  };
  return differ(a, b, "");
}

/**
 * The run's identity: a readable prefix and the first 10 hex digits of the SHA-256 of the
 * canonical JSON of the normalised config (key order does not matter).
 *
 * @example
 * ```ts
 * runId(normalizeTrainConfig({ loss: { name: "ls" } })); // "fashion-mnist-mlp-w512-ls-e30-s0-3f2a…"
 * ```
 */
export function runId(config: TrainConfig): string {
  const hash = createHash("sha256").update(canonical(config)).digest("hex").slice(0, 10);
  return `${config.dataset}-${config.model}-w${config.width}-${config.loss.name}-e${config.epochs}-s${config.seed}-${hash}`;
}
