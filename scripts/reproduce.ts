/**
 * `deno task reproduce [--preset cpu|smoke|paper] [--only SUBSTRING] [--jobs N] [--pack auto|off|N] [--summary-only]`:
 * the main job.
 *
 * 1. Runs the sweeps behind the deep-network figures (N jobs in parallel processes, default: one
 *    per core, at most 2; MLP runs of one shape packed to train as one graph, `--pack`, default
 *    auto), through the run store: finished runs are reused, interrupted ones resume.
 * 2. Executes every notebook headless; each exports its figures (SVG, PNG, PDF).
 * 3. Computes the report (`lib/report/report.ts`) from the stored runs and the UFM studies of
 *    notebooks 01 and 02 (computed again: seconds at `cpu`), and writes it: `SUMMARY.md`, the
 *    key numbers beside the figures, `accuracy_table.tex`, the accuracy table as a LaTeX booktabs
 *    snippet, and `summary.json`, the same numbers as one object.
 *
 * `--summary-only` rewrites `SUMMARY.md` and `accuracy_table.tex` alone (no training, no notebooks), from the runs already
 * stored. `summary.json` records the wall time of a whole reproduction, so only a run of every
 * notebook writes it: `--summary-only` and `--only` leave it as it is.
 *
 * At the default `cpu` preset the executed notebooks replace `notebooks/*.ipynb` (so their outputs
 * can be read without running anything) and figures go to `figures/`. Other presets write both
 * under `runs/reproduce/<preset>/`, leaving the committed results untouched.
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { activeBackend, initBackend } from "../lib/backend/backend.ts";
import { FIGURE_NAMES, figureGrid } from "../lib/experiments/figure_presets.ts";
import { resolvePreset, runsDir, UFM_PRESETS } from "../lib/experiments/presets.ts";
import { readEnvironmentVariable } from "../lib/environment.ts";
import { writeFileAtomic } from "../lib/store/atomic.ts";
import { MAX_JOBS, storedRuns, sweep } from "../lib/experiments/sweep.ts";
import { parsePackSetting } from "../lib/experiments/packs.ts";
import { executeNotebook, listNotebooks } from "../lib/notebook/execute.ts";
import { streamProgress } from "../lib/notebook/progress.ts";
import { reproductionReport } from "../lib/report/report.ts";
import { summaryMarkdown } from "../lib/report/summary_markdown.ts";
import { summaryJson } from "../lib/report/summary_json.ts";
import { accuracyTableLatex } from "../lib/report/accuracy_table.ts";
import { ufmStudies } from "../lib/experiments/ufm_studies.ts";
import { figureVenue } from "../lib/figures/style.ts";
import { mkdirSync, readFileSync } from "node:fs";
import { readmeResults, replaceReadmeResults } from "../lib/report/readme_results.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(1);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      preset: { type: "string" },
      only: { type: "string" },
      jobs: { type: "string" },
      pack: { type: "string" },
      venue: { type: "string" },
      "summary-only": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'Usage: deno task reproduce [--preset cpu|smoke|paper] [--only SUBSTRING] [--jobs N] [--pack auto|off|N] [--venue default|neurips|icml] [--summary-only]\n\nRuns the sweeps, executes every notebook headless, exports its figures and writes SUMMARY.md, accuracy_table.tex and summary.json.\n--jobs N: parallel training processes (default one per core, at most 2).\n--pack: MLP runs of one shape train together as one graph, at most N a pack (default auto; off: each alone); a run\'s results are the same either way (docs/backends.md, "Packed training").\n--venue: the figure sizes (default: 6.75 in page and 3.25 in column figures; neurips: 5.5 in; icml: 6.75 in page, 3.25 in column, 8-pt text); another venue than the default writes under runs/reproduce/PRESET-VENUE/.\n--summary-only writes SUMMARY.md and accuracy_table.tex alone, from the stored runs and the UFM studies (no training).',
    );
    return 0;
  }
  const preset = resolvePreset(values.preset ?? "cpu");
  const jobs = Number(values.jobs ?? Math.min(2, cpus().length));
  const pack = parsePackSetting(values.pack ?? "auto");
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    throw new Error(`--jobs must be an integer in [1, ${MAX_JOBS}], got ${values.jobs}`);
  }
  const venue = figureVenue(values.venue ?? "default");
  const committed = preset === "cpu" && venue.name === "default";
  const outDir = committed
    ? null
    : join(root, "runs", "reproduce", venue.name === "default" ? preset : `${preset}-${venue.name}`);
  const figuresDir = committed ? join(root, "figures") : join(outDir!, "figures");
  const store = runsDir();
  const notebooks = listNotebooks(join(root, "notebooks")).filter((p) => !values.only || p.includes(values.only));
  if (notebooks.length === 0) throw new Error(`no notebook matches "${values.only}"`);
  const started = performance.now();

  const summaryOnly = values["summary-only"] ?? false;
  await initBackend({ quiet: true });
  for (const figure of summaryOnly ? [] : FIGURE_NAMES) {
    const t0 = performance.now();
    const records = await sweep(figureGrid(figure, preset), {
      runsDir: store,
      jobs,
      pack,
      threads: readEnvironmentVariable("NC_THREADS"),
      log: () => {},
      // A line at least every 30 s, also when the output is a file: long sweeps are never silent.
      onProgress: streamProgress(`[reproduce] ${figure}`),
      onRun: (r, done, total) =>
        console.error(
          `[reproduce] ${figure} ${done}/${total} ${r.id} ${r.status.state}${
            r.status.reason ? `: ${r.status.reason}` : ""
          }`,
        ),
    });
    const failed = records.filter((r) => r.status.state === "failed").length;
    console.error(`[reproduce] sweep ${figure}: ${records.length} runs (${failed} failed) in ${seconds(t0)} s`);
  }

  for (const path of summaryOnly ? [] : notebooks) {
    const t0 = performance.now();
    const name = path.split("/").pop()!;
    console.error(`[reproduce] ${name} (preset ${preset}) …`);
    const executed = executeNotebook(path, {
      output: outDir ? join(outDir, name) : undefined,
      env: { NC_PRESET: preset, NC_FIGURES_DIR: figuresDir, NC_RUNS_DIR: store, NC_FIGURE_VENUE: venue.name },
    });
    console.error(`[reproduce] ${name}: ${executed.figures} figures in ${seconds(t0)} s`);
  }
  mkdirSync(figuresDir, { recursive: true });
  const runs = Object.fromEntries(
    FIGURE_NAMES.map((figure) => [figure, storedRuns(figureGrid(figure, preset), store)]),
  );
  const t0 = performance.now();
  const ufm = ufmStudies(UFM_PRESETS[preset]);
  console.error(`[reproduce] UFM studies for the report in ${seconds(t0)} s`);
  const whole = !summaryOnly && !values.only;
  const report = reproductionReport(preset, runs, {
    ufm,
    backend: activeBackend() ?? "unknown",
    wallSeconds: (performance.now() - started) / 1000,
  });
  writeFileAtomic(join(figuresDir, "SUMMARY.md"), summaryMarkdown(report));
  const latex = accuracyTableLatex(report);
  if (latex) writeFileAtomic(join(figuresDir, "accuracy_table.tex"), latex);
  if (whole) {
    const json = summaryJson(report);
    writeFileAtomic(join(figuresDir, "summary.json"), json);
    // The README's results are rendered from the summary as written, so the test that renders them
    // again from the committed file finds the same text.
    if (committed) {
      const readme = join(root, "README.md");
      writeFileAtomic(readme, replaceReadmeResults(readFileSync(readme, "utf8"), readmeResults(JSON.parse(json))));
    }
  }
  console.error(
    `[reproduce] done in ${seconds(started)} s; figures, SUMMARY.md${latex ? ", accuracy_table.tex" : ""}${
      whole ? " and summary.json" : ""
    } in ${figuresDir}${whole && committed ? "; the results in README.md" : ""}`,
  );
  return 0;
}

try {
  process.exit(await main());
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(2);
}
