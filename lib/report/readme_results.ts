/**
 * The README's results section, written from `figures/summary.json` so that its numbers cannot drift
 * from the stored results: `deno task reproduce` rewrites the block between
 * {@link README_RESULTS_BEGIN} and {@link README_RESULTS_END}, and a test renders it again from the
 * committed `summary.json` and compares. Every number in the block comes from the summary (or from
 * the preset's configuration, for set-up values such as M); the wording follows the numbers (which
 * loss is equivalent, which trend holds), so a new reproduction cannot leave a sentence behind.
 *
 * @module
 */
import { LOSS, lossLabel } from "../core/loss_registry.ts";
import { figureGrid } from "../experiments/figure_presets.ts";
import {
  formatAccuracy,
  formatBound,
  formatMetric,
  formatMetricColumn,
  formatNumber,
  formatPValue,
} from "./number_format.ts";
import type { Report } from "./report.ts";

/** The marker lines around the generated block in README.md. */
export const README_RESULTS_BEGIN = "<!-- results: written by `deno task reproduce` from figures/summary.json -->";
export const README_RESULTS_END = "<!-- end of results -->";

const label = lossLabel;
const list = (items: readonly string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
const grouped = (n: number) => Math.round(n).toLocaleString("en-US");
const upTo = formatBound;
/** "p = 0.022", "p < 0.001": the p-value rule of {@link formatPValue} in a sentence. */
const p = (x: number) => {
  const text = formatPValue(x);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
};
const range = (values: readonly number[], format: (values: number[]) => string[]) => {
  const [lo, hi] = format([Math.min(...values), Math.max(...values)]);
  return lo === hi ? lo : `${lo}–${hi}`;
};
const each = (f: (v: number) => string) => (values: number[]) => values.map(f);
const CLASSES: Record<string, number> = { "fashion-mnist": 10, mnist: 10, cifar10: 10, cifar100: 100 };

function ufmBullets(ufm: NonNullable<Report["ufm"]>): string[] {
  const { K, n, d, lambda, lambda_b, landscape_n, landscape_seeds } = ufm.problem;
  const m = ufm.minimizers;
  const max = (f: (r: (typeof m)[number]) => number) => Math.max(...m.map(f));
  const mse = m.find((r) => r.loss === "mse");
  const settings = ufm.landscape.settings;
  const ds = [...new Set(settings.map((s) => s.d))].sort((a, b) => a - b);
  const enough = settings.filter((s) => s.d >= K - 1), few = settings.filter((s) => s.d < K - 1);
  const count = (rows: typeof settings, f: (s: (typeof settings)[number]) => number) =>
    rows.reduce((a, s) => a + f(s), 0);
  const lines = [
    `- UFM with K = ${K}, n = ${n}, d = ${d}, λ_W = λ_H = ${formatNumber(lambda)}, λ_b = ${formatNumber(lambda_b)} (${
      list(m.map((r) => label(r.loss)))
    }, each at its default parameter): NC1 ≤ ${upTo(max((r) => r.nc1))}, NC2 and NC3 ≤ ${
      upTo(max((r) => Math.max(r.nc2, r.nc3)))
    }, ‖w_k‖² within ${
      upTo(max((r) => Math.abs(r.w_norm_sq_rel_error)))
    } relative of the closed form and the objective within ${
      upTo(max((r) => Math.abs(r.objective_rel_error)))
    }, after ${range(m.map((r) => r.iterations), each(String))} L-BFGS iterations.${
      mse ? ` MSE's NC4 is ${mse.nc4.toFixed(4)} against the predicted M/√K = ${mse.nc4_predicted.toFixed(4)}.` : ""
    }`,
    `- Landscape (K = ${K}, n = ${landscape_n}, ${landscape_seeds} seeds per setting, d ∈ {${ds.join(", ")}}, ${
      grouped(ufm.landscape.runs)
    } runs): ${count(enough, (s) => s.reached_optimum)} of the ${count(enough, (s) => s.runs)} runs with d ≥ K − 1 = ${
      K - 1
    } reach the predicted optimum (gap ≤ ${upTo(Math.max(...enough.map((s) => Math.abs(s.max_gap))))}, NC1–NC3 ≤ ${
      upTo(Math.max(...enough.map((s) => s.max_nc123)))
    }); ${count(few, (s) => s.reached_optimum)} of the ${
      count(few, (s) => s.runs)
    } runs with d < K − 1, where no simplex ETF exists, do${
      count(few, (s) => s.reached_optimum) === 0 ? ", as expected: they stop above it" : ""
    }${few.length ? ` (gap ≥ ${formatMetric(Math.min(...few.map((s) => s.min_gap)))})` : ""}.`,
  ];
  return lines;
}

function dynamicsBullets(report: Report): string[] {
  const { collapse, nc_dynamics: dyn, layers } = report;
  const losses = Object.keys(dyn);
  if (collapse.runs.length === 0) return [];
  const table = Object.values(report.accuracy_table)[0];
  const grid = figureGrid("nc_dynamics", report.preset);
  const mseM = (grid.losses.find((l) => l.name === "mse") as { M?: number } | undefined)?.M;
  const base = grid.base as { dataset?: string; synthetic?: { numClasses?: number } };
  const classes = CLASSES[base.dataset ?? ""] ?? base.synthetic?.numClasses;
  const t = collapse.targets;
  const missed = collapse.runs.filter((r) => !r.targets_met).map((r) => {
    const why = [
      ...(r.train_accuracy < t.train_accuracy
        ? [`training accuracy ends at ${formatAccuracy(r.train_accuracy)} %`]
        : []),
      ...(r.nc1_drop < t.nc1Drop ? [`NC1 falls only ${grouped(r.nc1_drop)}×`] : []),
      ...(r.nc2 >= t.nc2 ? [`NC2 ends at ${r.nc2.toFixed(3)}`] : []),
      ...(r.nc3 >= t.nc3 ? [`NC3 ends at ${r.nc3.toFixed(3)}`] : []),
    ];
    return `${label(r.loss)} seed ${r.seed} (${list(why)})`;
  });
  const slowest = losses.reduce((a, b) => (dyn[b].mean.nc2_last > dyn[a].mean.nc2_last ? b : a));
  const met = collapse.runs.length - missed.length;
  const seeds = dyn[losses[0]].seeds;
  const mse = dyn.mse;
  const lines = [
    `- NC dynamics (width ${table?.width}, ${grouped(collapse.runs[0].epoch)} epochs, seeds ${
      list(seeds.map(String))
    }): ${met} of the ${collapse.runs.length} runs meet every target — ${t.train_accuracy} % training accuracy, NC1 at least ${t.nc1Drop}× below epoch 1 (mean over seeds: ${
      losses.map((l) => `${grouped(dyn[l].mean.nc1_drop)}× ${label(l)}`).join(", ")
    }), NC2 and NC3 below ${t.nc2}.${
      missed.length ? ` The ${missed.length === 1 ? "other is" : "others are"} ${list(missed)}.` : ""
    } ${label(slowest)} collapses least (NC2 ${formatMetric(dyn[slowest].mean.nc2_last)} ± ${
      formatMetric(dyn[slowest].sd.nc2_last)
    } over seeds).${
      mse && mseM && classes
        ? ` MSE's NC4 ends at ${mse.mean.nc4_last.toFixed(2)} ± ${
          mse.sd.nc4_last.toFixed(2)
        } against the predicted M/√K = ${(mseM / Math.sqrt(classes)).toFixed(2)}.`
        : ""
    }`,
  ];
  const names = [...new Set(layers.map((r) => r.layer))];
  if (names.length > 1) {
    const byRun = Map.groupBy(layers, (r) => `${r.loss}/${r.seed}`);
    const ordered = [...byRun.values()].filter((rows) =>
      rows.every((r, i) => i === 0 || r.nc1_last < rows[i - 1].nc1_last)
    );
    const ranges = names.map((name) =>
      range(layers.filter((r) => r.layer === name).map((r) => r.nc1_last), (v) => formatMetricColumn(v))
    );
    lines.push(
      `- Layer by layer (same runs): in ${
        ordered.length === byRun.size ? "every run" : `${ordered.length} of ${byRun.size} runs`
      } each hidden layer ends more collapsed than the one before — NC1 ${
        names.map((name, i) => `${ranges[i]} at ${i === names.length - 1 ? "the features" : name}`).join(", ")
      }.`,
    );
  }
  return lines;
}

function heatmapBullet(report: Report): string[] {
  const h = report.heatmaps;
  if (h.cells.length === 0) return [];
  const widest = (key: "gap_mean" | "final_gap_mean") =>
    h.cells.reduce((a, c) => (Math.abs(c[key]) > Math.abs(a[key]) ? c : a));
  const best = widest("gap_mean"), last = widest("final_gap_mean");
  const runs = h.widths.length * h.epochs.length * h.seeds * (new Set(h.cells.map((c) => c.loss)).size + 1);
  const held = (["best_val", "final_epoch"] as const).flatMap((acc) =>
    Object.entries(h.claim[acc] ?? {}).filter(([, c]) => c?.holds).map(([loss, c]) =>
      `${label(loss)} at the ${acc === "best_val" ? "best-validation" : "last"} epoch (one-sided ${
        p(c!.width.p_shrinks)
      } with width, ${p(c!.epochs.p_shrinks)} with budget)`
    )
  );
  return [
    `- Heat-maps (widths ${h.widths.join("/")} × ${
      h.epochs.map(grouped).join("/")
    } epochs × ${h.seeds} seeds, ${runs} runs): the largest gap between CE and another loss is ${
      Math.abs(best.gap_mean).toFixed(1)
    } points at the best-validation epoch (CE − ${label(best.loss)}, width ${best.width}, ${
      grouped(best.epochs)
    } epochs) and ${Math.abs(last.final_gap_mean).toFixed(1)} at the last (CE − ${
      label(last.loss)
    }, width ${last.width}, ${
      grouped(last.epochs)
    } epochs). The permutation test of "|gap| shrinks with width and with budget" holds ${
      held.length ? `only for ${list(held)}` : "for no loss"
    }; for ${
      held.length ? "every other loss and accuracy" : "every loss and accuracy"
    } at least one axis is not shown.`,
  ];
}

function accuracyBullet(report: Report): string[] {
  const table = report.accuracy_table, comparisons = report.accuracy_comparisons;
  const losses = Object.keys(table);
  if (losses.length === 0 || !comparisons) return [];
  const { width, epochs } = table[losses[0]];
  const last = comparisons.final_epoch.equivalence_to_ce, best = comparisons.best_val.equivalence_to_ce;
  const margin = comparisons.margin;
  const yes = Object.entries(last).filter(([, e]) => e.equivalent);
  const no = Object.entries(last).filter(([, e]) => !e.equivalent);
  const level = Math.round(100 * comparisons.equivalence_interval_level);
  const describe = ([loss, e]: [string, (typeof last)[string]]) => {
    const [lo, hi] = e.interval; // CE − X
    return `${label(loss)} is ${e.mean_difference < 0 ? "ahead of" : "behind"} CE by ${
      formatAccuracy(Math.abs(e.mean_difference))
    } points (${level} % interval of CE − ${label(loss)}: [${formatAccuracy(lo)}, ${formatAccuracy(hi)}])`;
  };
  const bestYes = Object.entries(best).filter(([, e]) => e.equivalent).map(([l]) => label(l));
  return [
    `- Accuracy at collapse (the accuracy table, width ${width}, ${grouped(epochs)} epochs), last epoch: ${
      losses.map((l) => `${label(l)} ${formatAccuracy(table[l].final_mean)} ± ${formatAccuracy(table[l].final_sd)}`)
        .join(", ")
    } %. ${
      yes.length
        ? `${list(yes.map(([l]) => label(l)))} ${
          yes.length === 1 ? "is" : "are"
        } equivalent to CE within ±${margin} points (paired two one-sided tests; smallest margins ${
          list(yes.map(([, e]) => formatAccuracy(e.smallest_margin)))
        })`
        : `No loss is shown equivalent to CE within ±${margin} points`
    }${
      no.length
        ? `; ${list(no.map(([l]) => label(l)))} ${no.length === 1 ? "is" : "are"} not: ${list(no.map(describe))}`
        : ""
    }. At the best-validation epoch (${range(losses.map((l) => table[l].mean), each((v) => formatAccuracy(v)))} %) ${
      bestYes.length ? `${list(bestYes)} ${bestYes.length === 1 ? "is" : "are"}` : "no loss is"
    } shown within ±${margin}.`,
  ];
}

function hyperparameterBullet(report: Report): string[] {
  const rows = report.hyperparameters;
  if (rows.length === 0) return [];
  const parts = (["ls", "fl"] as const).flatMap((loss) => {
    const mine = rows.filter((r) => r.loss === loss).sort((a, b) => a.parameter - b.parameter);
    if (mine.length < 2) return [];
    const [first, end] = [mine[0], mine.at(-1)!];
    const symbol = LOSS[loss].parameter!.symbol;
    return [
      `${label(loss)} ${symbol} ${first.parameter} → ${end.parameter}: test accuracy ${
        formatAccuracy(first.test_accuracy_mean)
      } → ${formatAccuracy(end.test_accuracy_mean)} %, final NC1 ${formatMetric(first.nc1_last_mean)} → ${
        formatMetric(end.nc1_last_mean)
      }`,
    ];
  });
  return [`- Hyper-parameters (${rows[0].seeds} seeds each): ${parts.join("; ")}.`];
}

/**
 * The README's results bullets from a report (or `summary.json` parsed), with the marker lines.
 *
 * @example
 * ```ts ignore (reads the committed summary)
 * const summary = JSON.parse(readFileSync("figures/summary.json", "utf8"));
 * readmeResults(summary).startsWith(README_RESULTS_BEGIN); // true
 * ```
 */
export function readmeResults(report: Report): string {
  const bullets = [
    ...(report.ufm ? ufmBullets(report.ufm) : []),
    ...dynamicsBullets(report),
    ...heatmapBullet(report),
    ...accuracyBullet(report),
    ...hyperparameterBullet(report),
  ];
  return [README_RESULTS_BEGIN, ...bullets, README_RESULTS_END].join("\n");
}

/**
 * README text with its results block replaced by `block`.
 *
 * @example
 * ```ts
 * const old = `intro\n${README_RESULTS_BEGIN}\n- old\n${README_RESULTS_END}\nrest`;
 * replaceReadmeResults(old, `${README_RESULTS_BEGIN}\n- new\n${README_RESULTS_END}`).endsWith("- new\n<!-- end of results -->\nrest"); // true
 * ```
 */
export function replaceReadmeResults(readme: string, block: string): string {
  const begin = readme.indexOf(README_RESULTS_BEGIN), end = readme.indexOf(README_RESULTS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`README.md: no results block between "${README_RESULTS_BEGIN}" and "${README_RESULTS_END}"`);
  }
  return readme.slice(0, begin) + block + readme.slice(end + README_RESULTS_END.length);
}
