import { afterAll, beforeAll, expect, test } from "vitest";
import pl from "nodejs-polars";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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
      depth: 1,
      batchSize: 30,
      evalEpochs: [1, 2, 3],
    },
    losses: [{ name: "ce" }, { name: "mse", M: 15 }],
    widths: [8],
    epochs: [3],
    seeds: [0],
  }, { runsDir: join(dir, "runs"), log: () => {} });
}, 60_000);

test("nc export writes every metric row of the runs as CSV and as Parquet", async () => {
  for (const format of ["csv", "parquet"]) {
    const out = join(dir, `metrics.${format}`);
    const { status, stdout } = await runCli(["export", ...runs.map((r) => r.dir), "--out", out]);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(out);
    const frame = format === "csv" ? pl.readCSV(out) : pl.readParquet(out);
    expect(frame.height).toBe(6); // 2 runs × 3 evaluated epochs
    expect(frame.columns).toEqual(expect.arrayContaining(["loss", "epoch", "nc1", "testAccuracy"]));
    const nc1 = frame.filter(pl.col("loss").eq(pl.lit("ce"))).sort("epoch").getColumn("nc1").toArray();
    expect(nc1).toEqual(runs[0].rows.map((r) => r.nc1).map((v) => expect.closeTo(v, 12)));
  }
  expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
});

test("nc plot draws the runs' curves at the asked style into SVG, PNG and PDF", async () => {
  for (const format of ["svg", "png", "pdf"]) {
    const out = join(dir, "plots", `curves.${format}`);
    mkdirSync(join(dir, "plots"), { recursive: true });
    const { status, stdout, stderr } = await runCli([
      "plot",
      ...runs.map((r) => r.dir),
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

test.each([
  [["plot", "--out", "x.svg"], /plot: name one or more run directories first/],
  [["plot", "/nonexistent-run", "--out", "x.svg"], /plot: \/nonexistent-run is not a run directory/],
  [["plot", "RUN", "--out", "x.jpg"], /the extension must be \.svg, \.png, \.pdf/],
  [["plot", "RUN", "--out", "x.svg", "--metrics", "nc9"], /unknown metric nc9; choose from nc1/],
  [["plot", "RUN", "--out", "x.svg", "--style", "huge"], /--style: unknown figure style "huge"/],
  [["export", "RUN"], /export: --out FILE is required \(\.csv, \.parquet\)/],
])("%j is one clear error with status 2", async (argv, message) => {
  const args = argv.map((a) => (a === "RUN" ? runs[0].dir : a));
  const { status, stderr } = await runCli(args);
  expect(status).toBe(2);
  expect(stderr).toMatch(message);
});
