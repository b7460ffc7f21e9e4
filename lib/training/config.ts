/**
 * Training-run configuration: typed, JSON-serialisable, validated (unknown keys and bad values are
 * errors naming the key) and normalised (defaults filled in); its identity is `run_id.ts`'s.
 *
 * @module
 */
import { type LossSpec, parseLossSpec } from "../core/losses.ts";
import { LOSSES } from "../core/loss_registry.ts";
import { DATASET_NAMES, type DatasetName } from "../data/load.ts";
import { CONFIG_MAXIMA, INPUT_SIZE, MAX_MLP_PARAMETERS, mlpParameterCount } from "./config_limits.ts";
import { RECIPE_KEYS, RECIPE_NAMES, type RecipeLabel, recipeOf, RECIPES } from "./recipes.ts";

/** Model names. */
const MODEL_NAMES = ["mlp", "resnet18", "resnet50"] as const;
/** A model name. */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * When to evaluate: "auto" (every max(1, ⌊E/100⌋) epochs and the last), a list of epochs, or n
 * log-spaced epochs (and, with `every`, each multiple of that many epochs besides: dense enough late
 * in a long run to show what happens between the log-spaced points, and the same schedule for every
 * budget of a grid).
 */
export type EvalSchedule = "auto" | number[] | { logSpaced: number; every?: number };

/** Options of the synthetic Gaussian mixture. */
export interface SyntheticConfig {
  numClasses: number;
  dim: number;
  trainPerClass: number;
  testPerClass: number;
  separation: number;
}

/**
 * A fully specified training run (every default filled in). What each key means, its default and
 * its command-line flag: {@link TRAIN_KEYS}.
 */
export interface TrainConfig {
  dataset: DatasetName;
  cifar100Labels: "fine" | "coarse";
  synthetic: SyntheticConfig | null;
  model: ModelName;
  width: number;
  depth: number;
  batchNorm: boolean;
  loss: LossSpec;
  recipe: RecipeLabel;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  clipNorm: number;
  schedule: "standard" | "reference";
  reduction: "mean" | "sum";
  seed: number;
  evalEpochs: EvalSchedule;
  augment: boolean;
  evalAugment: boolean;
  layerMetrics: boolean;
  valFraction: number;
  splitSeed: number;
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

/** How the command line reads a key's flag: a number, a word, yes/no, the loss flags, an epoch list. */
export type FlagKind = "number" | "string" | "yesno" | "loss" | "evalEpochs";

/** One key of {@link TRAIN_KEYS}. */
export interface TrainKey<K extends keyof TrainConfig> {
  /** What the key means (its comment, and its `--help` text). */
  readonly doc: string;
  /** Its default: a value, or a function of the dataset and model. */
  readonly default: TrainConfig[K] | ((dataset: DatasetName, model: ModelName) => TrainConfig[K]);
  /** The default as `--help` shows it, where the value alone would not say it. */
  readonly defaultText?: string;
  /** Its command-line flag (`--kebab-case` of the key): how it is read and the name of its value. */
  readonly flag?: { readonly kind: FlagKind; readonly value: string };
}

const isCifar = (dataset: DatasetName) => dataset === "cifar10" || dataset === "cifar100";
const project = RECIPES.project;

/**
 * Every key of a training configuration, in order: what it means, its default, and its flag of
 * `nc train`. The key list, the defaults, the CLI flags and their `--help` text all come from here.
 */
export const TRAIN_KEYS: { readonly [K in keyof TrainConfig]: TrainKey<K> } = {
  dataset: {
    doc: `the dataset: ${DATASET_NAMES.join(" | ")}`,
    default: "fashion-mnist",
    flag: { kind: "string", value: "NAME" },
  },
  cifar100Labels: { doc: "CIFAR-100 label set: fine | coarse", default: "fine" },
  synthetic: {
    doc: "options of the synthetic Gaussian mixture (null for the other datasets)",
    default: (dataset) => dataset === "synthetic" ? SYNTHETIC_DEFAULTS : null,
  },
  model: { doc: `the network: ${MODEL_NAMES.join(" | ")}`, default: "mlp", flag: { kind: "string", value: "NAME" } },
  width: {
    doc: "MLP hidden units, or ResNet width multiplier",
    default: (_, model) => model === "mlp" ? 512 : 1,
    defaultText: "512 for the MLP, 1 for the ResNets",
    flag: { kind: "number", value: "W" },
  },
  depth: { doc: "MLP hidden layers (ignored by the ResNets)", default: 3, flag: { kind: "number", value: "D" } },
  batchNorm: {
    doc: "batch norm in the MLP (the ResNets always have it)",
    default: false,
    flag: { kind: "yesno", value: "yes|no" },
  },
  loss: {
    doc: `the loss and its parameter: ${LOSSES.map((l) => l.name).join(" | ")} (docs/method.md §1)`,
    default: { name: "ce" },
    flag: { kind: "loss", value: "NAME" },
  },
  recipe: {
    doc: `${RECIPE_NAMES.join(" | ")}: sets reduction, batch size, schedule, lr, momentum, weight decay ` +
      "and clipping together. reference-a is the May-2022 reference code (sum reduction, batch 128), " +
      "reference-b its public release (mean reduction, batch 100); both decay the lr one epoch early " +
      "(docs/method.md §6). Stored, the recipe the settings amount to (custom when they match none)",
    default: "custom",
    defaultText: "project, unless a setting of it is given",
    flag: { kind: "string", value: "NAME" },
  },
  epochs: { doc: "epochs of training", default: 30, flag: { kind: "number", value: "E" } },
  batchSize: { doc: "batch size", default: project.batchSize, flag: { kind: "number", value: "B" } },
  lr: {
    doc: "base learning rate, ×0.1 at int(3E/7) and int(5E/7)",
    default: project.lr,
    flag: { kind: "number", value: "LR" },
  },
  momentum: { doc: "SGD momentum", default: project.momentum, flag: { kind: "number", value: "M" } },
  weightDecay: {
    doc: "weight decay, coupled, on every parameter",
    default: project.weightDecay,
    flag: { kind: "number", value: "WD" },
  },
  clipNorm: {
    doc: "global gradient-norm clipping before weight decay (0 disables it)",
    default: project.clipNorm,
    flag: { kind: "number", value: "C" },
  },
  schedule: {
    doc: "standard | reference (decays one epoch early, as the reference code)",
    default: project.schedule,
    flag: { kind: "string", value: "KIND" },
  },
  reduction: {
    doc: "mean | sum over the batch (MSE: sum over batch and classes, as the reference code)",
    default: project.reduction,
    flag: { kind: "string", value: "R" },
  },
  seed: {
    doc: "seed of initialisation, data order and augmentation",
    default: 0,
    flag: { kind: "number", value: "S" },
  },
  evalEpochs: {
    doc: "when to evaluate: auto (every max(1, ⌊E/100⌋) epochs), a list such as 1,5,10, log:N " +
      "(N log-spaced epochs) or log:N+M (and every M-th epoch); the last epoch always",
    default: "auto",
    flag: { kind: "evalEpochs", value: "SPEC" },
  },
  augment: {
    doc: "random crop and flip while training (the CIFAR recipe)",
    default: isCifar,
    defaultText: "yes for CIFAR",
    flag: { kind: "yesno", value: "yes|no" },
  },
  evalAugment: {
    doc: "augmented images for the NC metrics and train accuracy (the reference code uses them)",
    default: isCifar,
    defaultText: "as --augment",
    flag: { kind: "yesno", value: "yes|no" },
  },
  layerMetrics: {
    doc: "also NC1 and NC2 of every hidden layer's features at each evaluation (layer-wise collapse)",
    default: false,
    flag: { kind: "yesno", value: "yes|no" },
  },
  valFraction: {
    doc: "fraction of the training set held out for validation",
    default: 0.1,
    flag: { kind: "number", value: "F" },
  },
  splitSeed: { doc: "seed of the validation split, the per-class subset and the synthetic data", default: 1 },
  perClass: {
    doc: "training samples kept per class (null: all), for CPU-scale runs",
    default: null,
    defaultText: "all",
    flag: { kind: "number", value: "N" },
  },
};

const KEYS = Object.keys(TRAIN_KEYS) as (keyof TrainConfig)[];

/** The defaults of every key but the dataset, model, loss and recipe, which are resolved first. */
function defaults(dataset: DatasetName, model: ModelName): Omit<TrainConfig, "dataset" | "model" | "loss" | "recipe"> {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    if (key === "dataset" || key === "model" || key === "loss" || key === "recipe") continue;
    const value = TRAIN_KEYS[key].default;
    out[key] = typeof value === "function" ? value(dataset, model) : value;
  }
  return out as Omit<TrainConfig, "dataset" | "model" | "loss" | "recipe">;
}

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

/** An integer in [min, the key's maximum] (`config_limits.ts`). */
function integerIn(value: unknown, key: keyof typeof CONFIG_MAXIMA, name: string = key, min = 1): number {
  const max = CONFIG_MAXIMA[key];
  const rule = min === 1 ? `a positive integer ≤ ${max}` : `an integer in [${min}, ${max}]`;
  return numberIn(value, name, (v) => Number.isInteger(v) && v >= min && v <= max, rule);
}

/** Refuses an MLP too large to hold (`MAX_MLP_PARAMETERS`), naming its size. */
function checkModelSize(c: TrainConfig): void {
  if (c.model !== "mlp") return;
  const inputSize = c.synthetic?.dim ?? INPUT_SIZE[c.dataset];
  const parameters = mlpParameterCount({ inputSize, ...c, numClasses: c.synthetic?.numClasses ?? 100 });
  if (parameters > MAX_MLP_PARAMETERS) {
    throw new ConfigError(
      `config "width" ${c.width} with "depth" ${c.depth} gives an MLP of ${parameters.toExponential(2)} parameters ` +
        `(about ${(12 * parameters / 2 ** 30).toFixed(1)} GiB with velocity and gradients); at most ` +
        `${MAX_MLP_PARAMETERS.toExponential(2)} are allowed`,
    );
  }
}

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
    integerIn(s.numClasses, "synthetic.numClasses", "synthetic.numClasses", 2);
    for (const key of ["dim", "trainPerClass", "testPerClass"] as const) integerIn(s[key], `synthetic.${key}`);
    numberIn(s.separation, "synthetic.separation", (v) => v >= 0, "≥ 0");
    c.synthetic = s;
  }
  oneOf(c.cifar100Labels, ["fine", "coarse"], "cifar100Labels");
  if (model !== "mlp" && dataset === "synthetic") {
    throw new ConfigError(`config "model" ${model} needs images; dataset "synthetic" has vectors (use model "mlp")`);
  }
  if (model === "mlp") integerIn(c.width, "width");
  else numberIn(c.width, "width", (v) => v > 0 && v <= CONFIG_MAXIMA.resnetWidth, "> 0 and ≤ 64 (width multiplier)");
  integerIn(c.depth, "depth");
  for (const key of ["batchNorm", "augment", "evalAugment", "layerMetrics"] as const) {
    if (typeof c[key] !== "boolean") {
      throw new ConfigError(`config "${key}" must be true or false; got ${JSON.stringify(c[key])}`);
    }
  }
  integerIn(c.epochs, "epochs");
  integerIn(c.batchSize, "batchSize");
  numberIn(c.lr, "lr", (v) => v > 0, "> 0");
  numberIn(c.momentum, "momentum", (v) => v >= 0 && v < 1, "in [0, 1)");
  numberIn(c.weightDecay, "weightDecay", (v) => v >= 0, "≥ 0");
  numberIn(c.clipNorm, "clipNorm", (v) => v >= 0, "≥ 0 (0 disables clipping)");
  oneOf(c.schedule, ["standard", "reference"], "schedule");
  oneOf(c.reduction, ["mean", "sum"], "reduction");
  numberIn(c.seed, "seed", Number.isSafeInteger, "an integer of at most 2⁵³ in size");
  numberIn(c.valFraction, "valFraction", (v) => v > 0 && v < 1, "in (0, 1)");
  numberIn(c.splitSeed, "splitSeed", Number.isSafeInteger, "an integer of at most 2⁵³ in size");
  if (c.perClass !== null) integerIn(c.perClass, "perClass");
  checkModelSize(c);
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
  if (typeof value === "object" && value !== null && "logSpaced" in value) {
    const extra = Object.keys(value).filter((k) => k !== "logSpaced" && k !== "every");
    if (extra.length > 0) throw new ConfigError(`config "evalEpochs" has unknown key "${extra[0]}"`);
    const { logSpaced, every } = value as { logSpaced: unknown; every?: unknown };
    integerIn(logSpaced, "evalEpochs.logSpaced");
    if (every === undefined) return { logSpaced: logSpaced as number };
    numberIn(every, "evalEpochs.every", positiveInt, "a positive integer");
    return { logSpaced: logSpaced as number, every: every as number };
  }
  throw new ConfigError(
    `config "evalEpochs" must be "auto", a list of epochs or { "logSpaced": n, "every"?: m }; got ${
      JSON.stringify(value)
    }`,
  );
}

/**
 * The epochs at which a run evaluates, ascending, always including the last.
 *
 * @example
 * ```ts
 * evaluationEpochs("auto", 30);                 // [1, 2, …, 30]
 * evaluationEpochs({ logSpaced: 4 }, 800);      // [1, 9, 86, 800]
 * evaluationEpochs({ logSpaced: 4, every: 300 }, 800); // [1, 9, 86, 300, 600, 800]
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
    const n = schedule.logSpaced, every = schedule.every ?? 0;
    list = Array.from({ length: n }, (_, i) => Math.round(Math.exp((Math.log(epochs) * i) / Math.max(1, n - 1))));
    if (every > 0) { for (let e = every; e <= epochs; e += every) list.push(e); }
  }
  return [...new Set([...list, epochs])].sort((a, b) => a - b);
}
