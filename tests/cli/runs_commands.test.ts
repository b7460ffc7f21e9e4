import { afterAll, beforeAll, expect, test } from "vitest";
import pl from "nodejs-polars";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { sweep } from "../../lib/experiments/sweep.ts";
import type { RunRecord } from "../../lib/training/run.ts";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-runs-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs: RunRecord[] = [];
beforeAll(async () => {
  await initBackend({ backend: "native", quiet: true });
  runs = await sweep({
    base: {
      dataset: "synthetic",
      synthetic: { numClasses: 3, dim: 6, trainPerClass: 30, testPerClass: 10, separation: 3 },
      depth: 2,
      batchSize: 30,
      evalEpochs: [1, 2, 3],
      layerMetrics: true,
    },
    losses: [{ name: "ce" }, { name: "mse", M: 15 }],
    widths: [8, 12],
    epochs: [3],
    seeds: [0, 1],
  }, { runsDir: join(dir, "runs"), log: () => {} });
}, 120_000);

/** The runs of one width and seed: one per loss (CE first). */
const pair = (width = 8, seed = 0) => runs.filter((r) => r.config.width === width && r.config.seed === seed);

test("nc export writes every metric row of the runs as CSV and as Parquet", async () => {
  for (const format of ["csv", "parquet"]) {
    const out = join(dir, `metrics.${format}`);
    const { status, stdout } = await runCli(["export", ...pair().map((r) => r.dir), "--out", out]);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(out);
    const frame = format === "csv" ? pl.readCSV(out) : pl.readParquet(out);
    expect(frame.height).toBe(6); // 2 runs × 3 evaluated epochs
    expect(frame.columns).toEqual(expect.arrayContaining(["loss", "epoch", "nc1", "test_accuracy"]));
    const nc1 = frame.filter(pl.col("loss").eq(pl.lit("ce"))).sort("epoch").getColumn("nc1").toArray();
    expect(nc1).toEqual(pair()[0].rows.map((r) => r.nc1).map((v) => expect.closeTo(v, 12)));
  }
  expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
});

/** The export's schema: column → polars dtype (a selection: the metric variants are Float64 too). */
const SCHEMA: Record<string, string> = {
  run: "String",
  status: "String",
  dataset: "String",
  model: "String",
  width: "Int64",
  depth: "Int64",
  batch_norm: "Bool",
  loss: "String",
  loss_label: "String",
  loss_param: "Float64",
  recipe: "String",
  epochs: "Int64",
  batch_size: "Int64",
  lr: "Float64",
  momentum: "Float64",
  weight_decay: "Float64",
  seed: "Int64",
  split_seed: "Int64",
  per_class: "Int64",
  eval_epochs: "String",
  layer_metrics: "Bool",
  synthetic_num_classes: "Int64",
  synthetic_dim: "Int64",
  synthetic_separation: "Float64",
  epoch: "Int64",
  epoch_lr: "Float64",
  train_accuracy: "Float64",
  test_accuracy: "Float64",
  nc1: "Float64",
  nc2_means: "Float64",
  cdnv: "Float64",
  ncc_mismatch: "Float64",
  gnc2_log: "Float64",
  wall_seconds: "Float64",
};
const LAYER_SCHEMA = {
  run: "String",
  epoch: "Int64",
  layer: "String",
  depth: "Int64",
  dim: "Int64",
  nc1: "Float64",
  nc2_means: "Float64",
  cdnv: "Float64",
};
const dtypes = (frame: pl.DataFrame) => Object.fromEntries(frame.columns.map((c, i) => [c, String(frame.dtypes[i])]));
const expectSchema = (frame: pl.DataFrame, schema: Record<string, string>) =>
  expect(dtypes(frame)).toMatchObject(
    Object.fromEntries(Object.entries(schema).map(([c, t]) => [c, `DataType(${t})`])),
  );

test("nc export is tidy: every configuration key a column, snake_case names, counts as integers; --layers in long form", async () => {
  const csv = join(dir, "tidy.csv"), parquet = join(dir, "tidy.parquet"), layers = join(dir, "layers.parquet");
  const all = runs.map((r) => r.dir);
  const a = await runCli(["export", ...all, "--out", parquet, "--layers", layers]);
  expect(a.status, a.stderr).toBe(0);
  expect(a.stdout.trim().split("\n")).toEqual([parquet, layers]);
  expect(a.stderr).toBe("[nc] 24 rows of 8 runs; 48 layer rows\n"); // 8 runs × 3 epochs (× 2 hidden layers)
  expect((await runCli(["export", ...all, "--out", csv])).status).toBe(0);

  const frame = pl.readParquet(parquet);
  expectSchema(frame, SCHEMA);
  for (const column of frame.columns) expect(column).toMatch(/^[a-z][a-z0-9_]*$/);
  // Runs that differ only in width and seed are told apart by their columns.
  expect(frame.select("loss", "width", "seed").unique().height).toBe(8);
  expect(frame.getColumn("depth").toArray()).toEqual(Array(24).fill(2));
  // CSV read back with explicit dtypes agrees with the Parquet file, value for value.
  const back = pl.readCSV(csv, { dtypes: Object.fromEntries(frame.columns.map((c, i) => [c, frame.dtypes[i]])) });
  expectSchema(back, SCHEMA);
  expect(back.sort(["run", "epoch"]).toRecords()).toEqual(frame.sort(["run", "epoch"]).toRecords());

  const long = pl.readParquet(layers);
  expect(long.columns).toEqual(Object.keys(LAYER_SCHEMA));
  expectSchema(long, LAYER_SCHEMA);
  const run = runs[0], row = run.rows[1];
  const mine = long.filter(pl.col("run").eq(pl.lit(run.id)).and(pl.col("epoch").eq(row.epoch))).sort("depth");
  expect(mine.getColumn("nc1").toArray()).toEqual(row.layers!.map((l) => l.nc1));
  expect(mine.getColumn("dim").toArray()).toEqual([run.config.width, run.config.width]);
});

test("the CSV of nc export writes counts without decimals (read by Python's csv module)", async () => {
  const csv = join(dir, "python.csv");
  expect((await runCli(["export", ...runs.map((r) => r.dir), "--out", csv])).status).toBe(0);
  const script = [
    "import csv, json, sys",
    "rows = list(csv.DictReader(open(sys.argv[1])))",
    "cols = ['epoch', 'seed', 'width', 'epochs', 'depth', 'batch_size', 'synthetic_num_classes']",
    "print(json.dumps({c: sorted({r[c] for r in rows}) for c in cols + ['batch_norm', 'loss_param']}))",
  ].join("\n");
  const result = spawnSync("python3", ["-c", script, csv], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({
    epoch: ["1", "2", "3"],
    seed: ["0", "1"],
    width: ["12", "8"],
    epochs: ["3"],
    depth: ["2"],
    batch_size: ["30"],
    synthetic_num_classes: ["3"],
    batch_norm: ["false"],
    loss_param: ["", "15.0"], // CE has none: an empty field, read as missing
  });
});

test("nc export --layers of runs without layer metrics is one clear error, and writes nothing", async () => {
  const copy = join(dir, "no-layers");
  cpSync(runs[0].dir, copy, { recursive: true });
  const metrics = join(copy, "metrics.jsonl");
  const rows = readFileSync(metrics, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  writeFileSync(metrics, rows.map(({ layers: _, ...row }) => JSON.stringify(row) + "\n").join(""));
  const out = join(dir, "none.csv");
  const { status, stderr } = await runCli(["export", copy, "--out", out, "--layers", join(dir, "none_layers.csv")]);
  expect(status).toBe(2);
  expect(stderr).toMatch(
    /^error: export: --layers: none of the runs has layer metrics \(train with --layer-metrics yes\)\n$/,
  );
  expect(existsSync(out)).toBe(false);
});

test("nc plot draws the runs' curves at the asked style into SVG, PNG and PDF", async () => {
  for (const format of ["svg", "png", "pdf"]) {
    const out = join(dir, "plots", `curves.${format}`);
    mkdirSync(join(dir, "plots"), { recursive: true });
    const { status, stdout, stderr } = await runCli([
      "plot",
      ...pair().map((r) => r.dir),
      "--metrics",
      "nc1,nc4,test_accuracy",
      "--style",
      "column",
      "--out",
      out,
    ]);
    expect(status, stderr).toBe(0);
    expect(stdout.trim()).toBe(out);
    expect(existsSync(out)).toBe(true);
  }
  const svg = readFileSync(join(dir, "plots", "curves.svg"), "utf8");
  expect(svg).toMatch(/width="3\.25in"/);
  for (const label of ["NC1", "NC4", "test accuracy"]) expect(svg).toContain(label);
  expect(svg).not.toContain("NC2");
  expect(readFileSync(join(dir, "plots", "curves.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
});

test("nc plot draws the seeds of a loss as one mean line and a thin line per seed, not a zig-zag", async () => {
  const out = join(dir, "plots", "seeds.svg");
  const seeds = [...pair(8, 0), ...pair(8, 1)].map((r) => r.dir);
  const { status, stderr } = await runCli(["plot", ...seeds, "--metrics", "nc1,cdnv", "--out", out]);
  expect(status, stderr).toBe(0);
  const svg = readFileSync(out, "utf8");
  // In each panel a mark of the seeds' lines (two losses × two seeds), then one of the means (one per loss).
  const lines = [...svg.matchAll(/aria-label="line"[^>]*>(.*?)<\/g>/gs)].map((m) => m[1].match(/<path/g)?.length);
  expect(lines).toEqual([4, 2, 4, 2]);
  expect(svg).toContain(">each seed<");
  expect(svg).toContain("cdnv");
});

test("nc plot refuses runs that differ in a key that is neither --by, --facet nor the seed, naming it", async () => {
  const out = join(dir, "plots", "ambiguous.svg");
  const { status, stderr } = await runCli(["plot", ...runs.map((r) => r.dir), "--out", out]);
  expect(status).toBe(2);
  expect(stderr).toMatch(
    /^error: plot: the runs differ in width \(8, 12\), which is neither --by \(loss\), --facet nor the seed: choose fewer runs, or draw it with --by or --facet\n$/,
  );
  expect(existsSync(out)).toBe(false);
});

test("nc plot --by and --facet: a line per width, a column of panels per loss; any metric, layer metrics too", async () => {
  const out = join(dir, "plots", "by_width.svg");
  const all = runs.map((r) => r.dir);
  const metrics = "nc1,nc2_means,train_loss,layer:nc1";
  const args = ["--by", "width", "--facet", "loss", "--metrics", metrics, "--layer", "2", "--out", out];
  const { status, stderr } = await runCli(["plot", ...all, ...args]);
  expect(status, stderr).toBe(0);
  const svg = readFileSync(out, "utf8");
  for (
    const text of ["width 8", "width 12", "loss ce", "loss mse", "nc2 means", "train loss", "NC1 (hidden layer 2)"]
  ) {
    expect(svg).toContain(text);
  }
});

test.each([
  [["plot", "--out", "x.svg"], /plot: name one or more run directories first/],
  [["plot", "/nonexistent-run", "--out", "x.svg"], /plot: \/nonexistent-run is not a run directory/],
  [["plot", "RUN", "--out", "x.jpg"], /the extension must be \.svg, \.png, \.pdf/],
  [
    ["plot", "RUN", "--out", "x.svg", "--metrics", "nc9"],
    /unknown metric nc9; choose from lr, .*, nc1, .*, cdnv, nc2_means, .*, layer:nc1, layer:nc2_means, layer:cdnv$/m,
  ],
  [["plot", "RUN", "--out", "x.svg", "--style", "huge"], /--style: unknown figure style "huge"/],
  [["plot", "RUN", "--out", "x.svg", "--by", "colour"], /--by colour: not a configuration key; choose from .*width/],
  [["plot", "RUN", "--out", "x.svg", "--by", "width", "--facet", "width"], /--by and --facet are both width/],
  [
    ["plot", "RUN", "--out", "x.svg", "--metrics", "layer:cdnv"],
    /layer:cdnv needs --layer N, an integer from 1 \(nearest the input\) to 2/,
  ],
  [["export", "RUN"], /export: --out FILE is required \(\.csv, \.parquet\)/],
])("%j is one clear error with status 2", async (argv, message) => {
  const args = argv.map((a) => (a === "RUN" ? runs[0].dir : a));
  const { status, stderr } = await runCli(args);
  expect(status).toBe(2);
  expect(stderr).toMatch(message);
});
