/**
 * `figures/summary.json`: the reproduction's key numbers as one object, for scripts and for
 * checking a reproduction against another (docs/method.md §9). Accuracies are in percent, losses
 * keyed ce, ls, fl, mse.
 *
 * @module
 */
import { byLossOrder } from "../core/loss_registry.ts";
import type { FigureName } from "../experiments/figure_presets.ts";
import type { PresetName } from "../experiments/presets.ts";
import type { RunRecord } from "../training/run.ts";
import { gapTrends, lossSpread } from "./claims.ts";
import { accuracyTable, hyperparameterTable, signedAccuracyGaps, summaryFrame } from "./run_frames.ts";

/** The last evaluation of one loss's NC-dynamics run. */
export interface DynamicsNumbers {
  seed: number;
  epochs: number;
  nc1_first: number;
  nc1_last: number;
  nc2_last: number;
  nc3_last: number;
  nc4_last: number;
  train_accuracy_last: number;
  test_accuracy_best_val: number;
  /**
   * Every hidden layer's NC1 at the first and last evaluation and the NC2 of its class means at the
   * last (runs with layer metrics); `nc2_last` above is the classifier's NC2, which a hidden layer has not.
   */
  layers?: { layer: string; nc1_first: number; nc1_last: number; nc2_means_last: number }[];
}

/** One heat-map cell: the signed gap CE − X over seeds. */
export interface GapCell {
  loss: string;
  width: number;
  epochs: number;
  gap_mean: number;
  gap_sd: number;
  seeds: number;
}

/** The claim "gaps shrink with width and with epochs" for one loss: ρ, its 90 % bootstrap interval. */
export interface GapClaim {
  width_correlation: number;
  width_interval: [number, number];
  epochs_correlation: number;
  epochs_interval: [number, number];
  /** Both intervals lie below 0. */
  holds: boolean;
}

/** Mean ± sd of the best-validation test accuracy over seeds. */
export interface AccuracyNumbers {
  mean: number;
  sd: number;
  seeds: number;
}

/** The whole summary. */
export interface ReproductionSummary {
  preset: PresetName;
  backend: string;
  /** Seconds of the `reproduce` that wrote this (short when the runs were already stored). */
  wall_seconds: number;
  /** Training and evaluation seconds of every run behind the figures, as recorded by the runs. */
  training_seconds: number;
  nc_dynamics: Record<string, DynamicsNumbers>;
  heatmaps: {
    seeds: number;
    widths: number[];
    epochs: number[];
    cells: GapCell[];
    claim: Record<string, GapClaim>;
  };
  accuracy_table: Record<string, AccuracyNumbers>;
  /** One-way ANOVA of the table's accuracies by loss. */
  accuracy_spread: { F: number; p: number; range: number; seed_sd: number; within_seed_noise: boolean } | null;
  hyperparameters: {
    loss: string;
    parameter: number;
    nc1_last_mean: number;
    nc1_last_sd: number;
    test_accuracy_mean: number;
    test_accuracy_sd: number;
    seeds: number;
  }[];
}

const round = (v: number, digits = 6) => Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;

function dynamics(records: readonly RunRecord[]): Record<string, DynamicsNumbers> {
  const out: Record<string, DynamicsNumbers> = {};
  const ordered = [...records].sort((a, b) =>
    byLossOrder(a.config.loss.name, b.config.loss.name) || a.config.seed - b.config.seed
  );
  for (const r of ordered) {
    const name = r.config.loss.name;
    if (out[name] || r.rows.length === 0) continue; // the first seed of each loss
    const first = r.rows[0], last = r.rows.at(-1)!;
    out[name] = {
      seed: r.config.seed,
      epochs: last.epoch,
      nc1_first: round(first.nc1),
      nc1_last: round(last.nc1),
      nc2_last: round(last.nc2),
      nc3_last: round(last.nc3),
      nc4_last: round(last.nc4),
      train_accuracy_last: round(100 * last.trainAccuracy),
      test_accuracy_best_val: round(100 * (r.status.summary?.bestValTestAccuracy ?? NaN)),
      ...(last.layers && first.layers
        ? {
          layers: last.layers.map((l, i) => ({
            layer: l.layer,
            nc1_first: round(first.layers![i].nc1),
            nc1_last: round(l.nc1),
            nc2_means_last: round(l.nc2Means),
          })),
        }
        : {}),
    };
  }
  return out;
}

/**
 * The summary object from the stored runs of each figure's grid (a figure without runs gives empty
 * entries).
 *
 * @example
 * ```ts ignore (reads the run store)
 * const runs = Object.fromEntries(FIGURE_NAMES.map((f) => [f, storedRuns(figureGrid(f, "cpu"), runsDir())]));
 * reproductionSummary("cpu", runs, { backend: "native", wallSeconds: 1800 });
 * ```
 */
export function reproductionSummary(
  preset: PresetName,
  runs: Partial<Record<FigureName, RunRecord[]>>,
  meta: { backend: string; wallSeconds: number; replicates?: number },
): ReproductionSummary {
  const all = new Map<string, RunRecord>();
  for (const list of Object.values(runs)) for (const r of list ?? []) all.set(r.id, r);
  const trainingSeconds = [...all.values()].reduce((a, r) => a + (r.rows.at(-1)?.wallSeconds ?? 0), 0);

  const heat = summaryFrame(runs.heatmaps ?? []);
  const hasHeat = heat.height > 0;
  const cells: GapCell[] = hasHeat
    ? signedAccuracyGaps(heat).toRecords().map((r) => ({
      loss: r.loss as string,
      width: r.width as number,
      epochs: r.epochs as number,
      gap_mean: round(r.gap as number),
      gap_sd: round((r.gap_sd as number | null) ?? NaN),
      seeds: r.seeds as number,
    })) // in loss order, then width and epochs, as signedAccuracyGaps sorts them
    : [];
  const claim: Record<string, GapClaim> = {};
  if (hasHeat) {
    for (const t of gapTrends(heat, { replicates: meta.replicates })) {
      claim[t.loss] = {
        width_correlation: round(t.width.value, 4),
        width_interval: [round(t.width.interval[0], 4), round(t.width.interval[1], 4)],
        epochs_correlation: round(t.epochs.value, 4),
        epochs_interval: [round(t.epochs.interval[0], 4), round(t.epochs.interval[1], 4)],
        holds: t.holds,
      };
    }
  }
  const uniqueSorted = (column: string) =>
    hasHeat ? [...new Set(heat.getColumn(column).toArray() as number[])].sort((a, b) => a - b) : [];

  const table = summaryFrame(runs.accuracy_table ?? []);
  const accuracy: Record<string, AccuracyNumbers> = {};
  let spread: ReproductionSummary["accuracy_spread"] = null;
  if (table.height > 0) {
    const rows = accuracyTable(table).toRecords();
    for (const r of rows) {
      accuracy[r.loss as string] = {
        mean: round(r.mean as number),
        sd: round((r.sd as number | null) ?? NaN),
        seeds: r.seeds as number,
      };
    }
    if (rows.some((r) => (r.seeds as number) > 1)) {
      const s = lossSpread(table);
      spread = {
        F: round(s.F),
        p: round(s.p),
        range: round(s.range),
        seed_sd: round(s.seedSd),
        within_seed_noise: s.withinSeedNoise,
      };
    }
  }

  const hyper = summaryFrame(runs.hyperparameters ?? []);
  const hyperparameters = hyper.height === 0 ? [] : hyperparameterTable(hyper).toRecords().map((r) => ({
    loss: r.loss as string,
    parameter: r.loss_param as number,
    nc1_last_mean: round(r.nc1_mean as number),
    nc1_last_sd: round((r.nc1_sd as number | null) ?? NaN),
    test_accuracy_mean: round(r.test_accuracy_mean as number),
    test_accuracy_sd: round((r.test_accuracy_sd as number | null) ?? NaN),
    seeds: r.seeds as number,
  }));

  return {
    preset,
    backend: meta.backend,
    wall_seconds: Math.round(meta.wallSeconds),
    training_seconds: Math.round(trainingSeconds),
    nc_dynamics: dynamics(runs.nc_dynamics ?? []),
    heatmaps: {
      seeds: cells.length ? Math.min(...cells.map((c) => c.seeds)) : 0,
      widths: uniqueSorted("width"),
      epochs: uniqueSorted("epochs"),
      cells,
      claim,
    },
    accuracy_table: accuracy,
    accuracy_spread: spread,
    hyperparameters,
  };
}

/** The summary as JSON text (NaN, for a spread of one seed, written as null). */
export function summaryJson(summary: ReproductionSummary): string {
  return JSON.stringify(summary, (_, v) => typeof v === "number" && !Number.isFinite(v) ? null : v, 2) + "\n";
}
