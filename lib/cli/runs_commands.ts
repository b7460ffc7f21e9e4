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
import { metricRows } from "../report/run_frames.ts";
import { exportFrame, exportLayersFrame } from "../report/export_frames.ts";
import { metricCurvesPlot, NC_DYNAMICS_PANELS } from "../figures/run_plots.ts";
import { hasRun } from "../store/run_dir.ts";
import { asStorageError } from "../store/storage_error.ts";
import { readRun, type RunRecord } from "../training/run.ts";
import { CliError, type Command, parseFlags } from "./args.ts";
import { userPath } from "./paths.ts";

/** Metric names of `--metrics`, and the metrics-frame columns they plot. */
const METRIC_COLUMNS: Record<string, string> = {
  nc1: "nc1",
  nc2: "nc2",
  nc3: "nc3",
  nc4: "nc4",
  train_accuracy: "trainAccuracy",
  val_accuracy: "valAccuracy",
  test_accuracy: "testAccuracy",
};

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

Draws the metric curves of stored runs (one line per loss; one panel per metric) with the project's
figure code, at a physical size, and writes one file.

Options:
  --out FILE         the figure: .svg, .png (300 dpi) or .pdf, by its extension
  --metrics LIST     comma-separated, in order (default nc1,nc2,nc3,nc4,test_accuracy); from
                     ${Object.keys(METRIC_COLUMNS).join(", ")}
  --style S          column (3.25 in, 8 pt) | page (6.75 in, 9 pt, default) | WIDTHin,SIZEpt
  -h, --help         this help`;

/** The `plot` subcommand. */
export const plotCommand: Command = {
  name: "plot",
  summary: "draw the metric curves of stored runs to SVG, PNG or PDF",
  help: PLOT_HELP,
  async run(argv, io) {
    const { records, flags } = runsOf(argv, "plot");
    const flag = { type: "string" } as const;
    const { values } = parseFlags(flags, { out: flag, metrics: flag, style: flag }, "plot");
    const { dir, name, format } = outPath(userPath(values.out), ["svg", "png", "pdf"], "plot");
    const metrics = (values.metrics ?? "nc1,nc2,nc3,nc4,test_accuracy").split(",").map((m) => m.trim());
    const unknown = metrics.filter((m) => !(m in METRIC_COLUMNS));
    if (unknown.length) {
      throw new CliError(
        `plot: unknown metric ${unknown.join(", ")}; choose from ${Object.keys(METRIC_COLUMNS).join(", ")}`,
      );
    }
    let style;
    try {
      style = figureStyle(values.style ?? "page");
    } catch (error) {
      throw new CliError(`plot: --style: ${(error as Error).message}`);
    }
    const panels = metrics.map((m) => NC_DYNAMICS_PANELS.find((p) => p.column === METRIC_COLUMNS[m])!);
    const rows = metricRows(records);
    if (rows.length === 0) throw new CliError("plot: the runs have no evaluated epochs yet");
    const figure = metricCurvesPlot(rows, { panels, style });
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
    renameSync(partial, out);
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
