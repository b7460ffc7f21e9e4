/**
 * `nc plot` and `nc export`: figures and tables of stored runs, without writing notebook code.
 *
 * @module
 */
import pl from "nodejs-polars";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname } from "node:path";
import { exportFigure, type FigureFormat } from "../figures/export.ts";
import { figureStyle } from "../figures/style.ts";
import { type MetricRow, metricRows } from "../report/run_frames.ts";
import { exportFrame, exportLayersFrame, flatConfig, snakeCase } from "../report/export_frames.ts";
import { type CurvePanel, NC_DYNAMICS_PANELS } from "../figures/run_plots.ts";
import { metricCurvesPlot } from "../figures/metric_curves.ts";
import { hasRun } from "../store/run_dir.ts";
import { asStorageError } from "../store/storage_error.ts";
import { readRun, type RunRecord } from "../training/run.ts";
import { CliError, type Command, parseFlags } from "./args.ts";
import { userPath } from "./paths.ts";

/** The leading run directories of `argv`, read; the rest of `argv` is flags. */
function runsOf(argv: string[], command: string): { records: RunRecord[]; flags: string[] } {
  const firstFlag = argv.findIndex((a) => a.startsWith("-"));
  const given = firstFlag === -1 ? argv : argv.slice(0, firstFlag);
  if (given.length === 0) throw new CliError(`${command}: name one or more run directories first (see --help)`);
  const runDirs = given.map((dir) => userPath(dir));
  runDirs.forEach((dir, i) => {
    if (!hasRun(dir)) {
      throw new CliError(
        `${command}: ${given[i]} is not a run directory (no status.json${dir === given[i] ? "" : ` in ${dir}`})`,
      );
    }
  });
  return { records: runDirs.map((dir) => readRun(dir)), flags: firstFlag === -1 ? [] : argv.slice(firstFlag) };
}

function outPath(
  out: string | undefined,
  allowed: readonly string[],
  command: string,
): { dir: string; name: string; format: string } {
  if (!out) throw new CliError(`${command}: --out FILE is required (${allowed.map((e) => `.${e}`).join(", ")})`);
  const format = extname(out).slice(1).toLowerCase();
  if (!allowed.includes(format)) {
    throw new CliError(`${command}: --out ${out}: the extension must be ${allowed.map((e) => `.${e}`).join(", ")}`);
  }
  return { dir: dirname(out), name: basename(out, extname(out)), format };
}

const PLOT_HELP = `Usage: deno task nc plot RUN_DIR... --out FILE.svg|png|pdf [options]

Draws the metric curves of stored runs with the project's figure code, at a physical size, and
writes one file: one panel per metric, one line per loss (or per value of --by), the seeds of a line
drawn as their mean (geometric on log axes) and a thin line each. Runs that differ in any other
configuration key are refused, naming the key: choose fewer runs, or use --by or --facet.

Options:
  --out FILE         the figure: .svg, .png (300 dpi) or .pdf, by its extension
  --metrics LIST     comma-separated, in order (default nc1,nc2,nc3,nc4,test_accuracy): any metric
                     of the runs' rows in snake_case (cdnv, nc2_means, train_loss, ...), and
                     layer:nc1, layer:nc2_means, layer:cdnv for the hidden layer of --layer
  --layer N          the hidden layer of layer: metrics (1 = nearest the input)
  --by KEY           the configuration key whose values are the lines (default loss): width, depth, lr, ...
  --facet KEY        one column of panels per value of this configuration key
  --style S          column (3.25 in, 8 pt) | page (6.75 in, 9 pt, default) | WIDTHin,SIZEpt
  -h, --help         this help`;

/** `name` in camelCase, the metric rows' spelling: `nc2_means` → `nc2Means`. */
const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Columns of the metric rows that are configuration, not metrics. */
const NOT_METRICS = new Set(["epoch", "width", "epochs", "seed", "loss_order", "loss_param"]);
const LAYER_METRICS = ["nc1", "nc2_means", "cdnv"];

/** The panel of a metric column: the paper's where there is one; log axes for positive values spanning a decade. */
function panelOf(column: string, label: string, rows: readonly Record<string, unknown>[]): CurvePanel {
  const known = NC_DYNAMICS_PANELS.find((p) => p.column === column);
  if (known) return known;
  const values = rows.map((r) => r[column]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const accuracy = /Accuracy$/.test(column);
  const log = !accuracy && values.length > 0 && Math.min(...values) > 0 &&
    Math.max(...values) >= 10 * Math.min(...values);
  return { column, label: accuracy ? `${label} (%)` : label, log, accuracy };
}

/** One line naming the keys in which runs that would be drawn as one curve differ, or null. */
function ambiguity(records: readonly RunRecord[], by: string, facet: string | undefined): string | null {
  const configs = records.map((r) => flatConfig(r.config).cells);
  const skip = new Set([by, facet, "seed", "loss_label"]);
  const lossShown = by === "loss" || facet === "loss";
  const differing: string[] = [];
  for (const key of Object.keys(configs[0])) {
    if (skip.has(key)) continue;
    // With a line or a column per loss, the loss parameter may differ between losses, not within one.
    const within = lossShown && key === "loss_param"
      ? [...new Set(configs.map((c) => c.loss))].map((l) => configs.filter((c) => c.loss === l))
      : [configs];
    const values = within.map((group) => [...new Set(group.map((c) => JSON.stringify(c[key])))]);
    if (values.some((v) => v.length > 1)) differing.push(`${key} (${[...new Set(values.flat())].join(", ")})`);
  }
  return differing.length ? differing.join(", ") : null;
}

/** The `plot` subcommand. */
export const plotCommand: Command = {
  name: "plot",
  summary: "draw the metric curves of stored runs to SVG, PNG or PDF",
  help: PLOT_HELP,
  async run(argv, io) {
    const { records, flags } = runsOf(argv, "plot");
    const flag = { type: "string" } as const;
    const { values } = parseFlags(
      flags,
      { out: flag, metrics: flag, style: flag, by: flag, facet: flag, layer: flag },
      "plot",
    );
    const { dir, name, format } = outPath(userPath(values.out), ["svg", "png", "pdf"], "plot");
    let style;
    try {
      style = figureStyle(values.style ?? "page");
    } catch (error) {
      throw new CliError(`plot: --style: ${(error as Error).message}`);
    }
    const keys = Object.keys(flatConfig(records[0].config).cells).filter((k) => k !== "loss_label");
    const by = values.by ?? "loss", facet = values.facet;
    for (const [option, key] of [["--by", by], ["--facet", facet]] as const) {
      if (key !== undefined && !keys.includes(key)) {
        throw new CliError(`plot: ${option} ${key}: not a configuration key; choose from ${keys.join(", ")}`);
      }
    }
    if (facet !== undefined && facet === by) throw new CliError(`plot: --by and --facet are both ${by}`);
    const differ = ambiguity(records, by, facet);
    if (differ) {
      throw new CliError(
        `plot: the runs differ in ${differ}, which is neither --by (${by}), --facet nor the seed: ` +
          "choose fewer runs, or draw it with --by or --facet",
      );
    }
    const metrics = (values.metrics ?? "nc1,nc2,nc3,nc4,test_accuracy").split(",").map((m) => m.trim());
    const layerMetrics = metrics.filter((m) => m.startsWith("layer:"));
    const depths = Math.min(...records.map((r) => r.rows[0]?.layers?.length ?? 0));
    let layer: number | undefined;
    if (layerMetrics.length) {
      if (depths === 0) {
        throw new CliError(
          `plot: ${layerMetrics[0]}: not every run has layer metrics (train with --layer-metrics yes)`,
        );
      }
      layer = values.layer === undefined && depths === 1 ? 1 : Number(values.layer);
      if (!Number.isInteger(layer) || layer < 1 || layer > depths) {
        throw new CliError(
          `plot: ${layerMetrics[0]} needs --layer N, an integer from 1 (nearest the input) to ${depths}`,
        );
      }
    }
    const rows = records.flatMap((r) =>
      metricRows([r]).map((row, i) => {
        const cells = flatConfig(r.config).cells;
        const out: Record<string, unknown> = { ...row, [by]: cells[by], ...(facet ? { [facet]: cells[facet] } : {}) };
        const hidden = r.rows[i].layers?.[layer! - 1];
        if (hidden) {
          for (const m of LAYER_METRICS) out[`layer:${m}`] = hidden[camelCase(m) as "nc1"];
        }
        return out as MetricRow & Record<string, unknown>;
      })
    );
    if (rows.length === 0) throw new CliError("plot: the runs have no evaluated epochs yet");
    const available = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === "number")))]
      .filter((k) => !NOT_METRICS.has(k) && !k.startsWith("layer:"))
      .map(snakeCase);
    const choices = [...available, ...LAYER_METRICS.map((m) => `layer:${m}`)];
    const unknown = metrics.filter((m) => !choices.includes(m));
    if (unknown.length) {
      throw new CliError(`plot: unknown metric ${unknown.join(", ")}; choose from ${choices.join(", ")}`);
    }
    const panels = metrics.map((m) =>
      m.startsWith("layer:")
        ? panelOf(m, `${m.slice(6).toUpperCase().replace("_MEANS", " means")} (hidden layer ${layer})`, rows)
        : panelOf(camelCase(m), m.replaceAll("_", " "), rows)
    );
    const figure = metricCurvesPlot(rows, { panels, style, by, facet });
    const [written] = await exportFigure(figure, name, { dir, formats: [format as FigureFormat] });
    io.stdout(written + "\n");
    return 0;
  },
};

const EXPORT_HELP = `Usage: deno task nc export RUN_DIR... --out FILE.csv|parquet [--layers FILE.csv|parquet]

Writes the metric rows of stored runs as one tidy table (CSV or Parquet, through polars): one row
per run and evaluated epoch; the run id and state, every configuration key of the run as a column
(the loss as loss, loss_label and loss_param; the synthetic data's options as synthetic_*), the
epoch, its learning rate (epoch_lr) and every metric. Every column name is snake_case
(train_accuracy, nc2_means); counts are integers (Int64), flags booleans; accuracies in percent.

Options:
  --out FILE      the metric rows: .csv or .parquet, by its extension (written atomically)
  --layers FILE   also the hidden layers' metrics of runs trained with --layer-metrics yes, in long
                  form: run, epoch, layer, depth, dim, nc1, nc2_means, cdnv (join on run, epoch)
  -h, --help      this help`;

/** Writes `frame` to `out` as CSV or Parquet, through a temporary file renamed into place. */
function writeFrame(frame: pl.DataFrame, out: string, format: string): void {
  const partial = `${out}.partial`;
  try {
    // Opened here first: the dataframe library cannot say why a write fails (it panics).
    writeFileSync(partial, "");
  } catch (error) {
    throw asStorageError(error, out, "write");
  }
  try {
    if (format === "csv") frame.writeCSV(partial);
    else frame.writeParquet(partial);
    try {
      renameSync(partial, out);
    } catch (error) {
      throw asStorageError(error, out, "write");
    }
  } finally {
    rmSync(partial, { force: true });
  }
}

/** The `export` subcommand. */
export const exportCommand: Command = {
  name: "export",
  summary: "write the metric rows of stored runs as a tidy CSV or Parquet table",
  help: EXPORT_HELP,
  run(argv, io) {
    const { records, flags } = runsOf(argv, "export");
    const { values } = parseFlags(flags, { out: { type: "string" }, layers: { type: "string" } }, "export");
    const out = userPath(values.out)!;
    const { format } = outPath(out, ["csv", "parquet"], "export");
    const layersOut = userPath(values.layers);
    const layers = layersOut === undefined ? undefined : exportLayersFrame(records);
    if (layersOut !== undefined) {
      const { format: layersFormat } = outPath(layersOut, ["csv", "parquet"], "export --layers");
      if (layers!.height === 0) {
        throw new CliError(
          "export: --layers: none of the runs has layer metrics (train with --layer-metrics yes)",
        );
      }
      if (layersOut === out) throw new CliError("export: --layers must name another file than --out");
      writeFrame(layers!, layersOut, layersFormat);
    }
    const frame = exportFrame(records);
    writeFrame(frame, out, format);
    io.stdout(out + "\n");
    if (layersOut !== undefined) io.stdout(layersOut + "\n");
    io.stderr(
      `[nc] ${frame.height} rows of ${records.length} runs${layers ? `; ${layers.height} layer rows` : ""}\n`,
    );
    return Promise.resolve(0);
  },
};
