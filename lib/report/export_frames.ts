/**
 * Tidy tables of stored runs for other tools (pandas, polars, R): what `nc export` writes.
 *
 * - {@link exportFrame}: one row per run and evaluation; the run's id and state, every key of its
 *   configuration as a column (the loss spec as `loss` and `loss_param`, the synthetic data's
 *   options as `synthetic_*` columns), the epoch, and every metric of `metrics.jsonl`;
 * - {@link exportLayersFrame}: one row per run, evaluation and hidden layer, in long form.
 *
 * Every column name is snake_case (`trainAccuracy` → `train_accuracy`); counts are Int64, flags
 * Boolean, names String, everything else Float64, whatever the values of the rows at hand (so that
 * files of different runs concatenate). Accuracies are in percent, as in `metricsFrame`, whose
 * camelCase metric columns the notebooks use and which stays as it is.
 *
 * @module
 */
import pl from "nodejs-polars";
import { LOSS, lossParameter } from "../core/loss_registry.ts";
import { CONFIG_MAXIMA } from "../training/config_limits.ts";
import type { TrainConfig } from "../training/config.ts";
import type { RunRecord } from "../training/run.ts";

/**
 * `name` in snake_case: an underscore before each capital, which is lowered.
 *
 * @example
 * ```ts
 * snakeCase("trainAccuracy"); // "train_accuracy"
 * snakeCase("nc2Means"); // "nc2_means"
 * ```
 */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Configuration keys (dotted inside `synthetic`) that count things: Int64 columns. */
const INTEGER_KEYS = new Set<string>([
  ...Object.keys(CONFIG_MAXIMA).filter((k) => k !== "resnetWidth" && !k.startsWith("evalEpochs")),
  "seed",
  "splitSeed",
]);

type Cell = string | number | boolean | null;
type Column = { dtype: "int" | "float" | "bool" | "string" };

/**
 * A column per key of the rows (or per name of `empty` when there are none), each of the dtype
 * `dtypeOf` gives its name; a key a row lacks is null there.
 */
function typedFrame(
  rows: readonly Record<string, Cell>[],
  dtypeOf: (key: string) => Column["dtype"],
  empty: readonly string[] = [],
): pl.DataFrame {
  const names = rows.length ? [...new Set(rows.flatMap((r) => Object.keys(r)))] : empty;
  const DTYPE = { int: pl.Int64, float: pl.Float64, bool: pl.Bool, string: pl.Utf8 };
  return pl.DataFrame(names.map((name) => {
    const dtype = dtypeOf(name);
    const values = rows.map((r) => r[name] ?? null);
    // Int64 from a float that is not an integer would be silently truncated.
    const bad = dtype === "int" ? values.find((v) => v !== null && !Number.isInteger(v)) : undefined;
    if (bad !== undefined) throw new TypeError(`column ${name}: ${bad} is not an integer`);
    return pl.Series(name, values, DTYPE[dtype]);
  }));
}

/**
 * The configuration of a run as flat snake_case columns (the cells of {@link exportFrame}), with
 * each column's dtype.
 *
 * @example
 * ```ts ignore (needs a run's configuration)
 * flatConfig(run.config).cells.batch_size; // 128
 * ```
 */
export function flatConfig(config: TrainConfig): { cells: Record<string, Cell>; dtypes: Map<string, Column["dtype"]> } {
  const cells: Record<string, Cell> = {}, dtypes = new Map<string, Column["dtype"]>();
  const put = (key: string, value: unknown) => {
    const name = snakeCase(key.replace(".", "_"));
    if (typeof value === "boolean") dtypes.set(name, "bool");
    else if (typeof value === "string") dtypes.set(name, "string");
    else if (value !== null && typeof value === "object") {
      value = JSON.stringify(value); // the evaluation schedule: "auto", [1, 2, 3] or { logSpaced }
      dtypes.set(name, "string");
    } else dtypes.set(name, INTEGER_KEYS.has(key) ? "int" : "float");
    cells[name] = value as Cell;
  };
  for (const [key, value] of Object.entries(config)) {
    if (key === "loss") {
      put("loss", config.loss.name);
      put("lossLabel", LOSS[config.loss.name].label);
      put("lossParam", lossParameter(config.loss));
    } else if (key === "synthetic") {
      for (const k of Object.keys(SYNTHETIC_KEYS) as (keyof typeof SYNTHETIC_KEYS)[]) {
        put(`synthetic.${k}`, config.synthetic?.[k] ?? null);
      }
    } else put(key, value);
  }
  return { cells, dtypes };
}

/** The synthetic data's options, null in runs on other datasets (so every run has the columns). */
const SYNTHETIC_KEYS: Record<keyof NonNullable<TrainConfig["synthetic"]>, null> = {
  numClasses: null,
  dim: null,
  trainPerClass: null,
  testPerClass: null,
  separation: null,
};

/** Metrics in [0, 1] in `metrics.jsonl`, in percent in the frames. */
const PERCENT = new Set(["trainAccuracy", "valAccuracy", "testAccuracy", "trainStepAccuracy"]);

/**
 * One row per run and evaluation, snake_case throughout: `run`, `status`, every configuration key
 * (`loss`, `loss_label`, `loss_param`, `synthetic_num_classes`, …, `eval_epochs` as JSON text), then
 * `epoch`, `epoch_lr` (the learning rate of that epoch; `lr` is the configured one) and every
 * metric (`train_accuracy`, `nc2_means`, …; accuracies in percent, a metric a run did not record
 * null). Counts are Int64 (`epoch`, `seed`, `width`, `depth`, `batch_size`, `per_class`, …).
 *
 * @example
 * ```ts ignore (reads the local run store, empty in a fresh clone)
 * exportFrame(readRuns("runs")).writeParquet("metrics.parquet");
 * ```
 */
export function exportFrame(records: readonly RunRecord[]): pl.DataFrame {
  const dtypes = new Map<string, Column["dtype"]>([["run", "string"], ["status", "string"], ["epoch", "int"]]);
  const rows = records.flatMap((r) => {
    const config = flatConfig(r.config);
    for (const [k, v] of config.dtypes) dtypes.set(k, v);
    return r.rows.map(({ layers: _layers, lr, evalAugment: _same, epoch, ...metrics }) => {
      const row: Record<string, Cell> = { run: r.id, status: r.status.state, ...config.cells, epoch, epoch_lr: lr };
      for (const [key, value] of Object.entries(metrics)) {
        row[snakeCase(key)] = typeof value === "number" && PERCENT.has(key) ? 100 * value : value as Cell;
      }
      return row;
    });
  });
  return typedFrame(rows, (name) => dtypes.get(name) ?? "float");
}

/**
 * One row per run, evaluation and hidden layer of the runs trained with `layerMetrics`, in long
 * form: `run`, `epoch`, `layer` (its name), `depth` (1 = nearest the input), `dim` (its feature
 * dimension), `nc1`, `nc2_means`, `cdnv`. Join it to {@link exportFrame}'s rows on `run` (and
 * `epoch`) for the configuration.
 *
 * @example
 * ```ts ignore (reads the local run store, empty in a fresh clone)
 * exportLayersFrame(readRuns("runs")).writeCSV("layers.csv");
 * ```
 */
export function exportLayersFrame(records: readonly RunRecord[]): pl.DataFrame {
  const rows = records.flatMap((r) =>
    r.rows.flatMap((row) =>
      (row.layers ?? []).map(({ layer, dim, ...metrics }, i) => {
        const out: Record<string, Cell> = { run: r.id, epoch: row.epoch, layer, depth: i + 1, dim };
        for (const [key, value] of Object.entries(metrics)) out[snakeCase(key)] = value;
        return out;
      })
    )
  );
  const COLUMNS: Record<string, Column["dtype"]> = {
    run: "string",
    epoch: "int",
    layer: "string",
    depth: "int",
    dim: "int",
  };
  const empty = [...Object.keys(COLUMNS), "nc1", "nc2_means", "cdnv"];
  return typedFrame(rows, (name) => COLUMNS[name] ?? "float", empty);
}
