import { afterAll, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/backend.ts";
import { sweep } from "../../lib/experiments/sweep.ts";
import { summaryMarkdown } from "../../lib/present/summary.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("SUMMARY.md shows each loss's signed gap to CE as a width × epochs matrix with the seed spread", async () => {
  await initBackend({ backend: "native", quiet: true });
  const runs = await sweep({
    base: {
      dataset: "synthetic",
      synthetic: { numClasses: 3, dim: 6, trainPerClass: 30, testPerClass: 10, separation: 2 },
      depth: 1,
      batchSize: 30,
    },
    losses: [{ name: "ce" }, { name: "mse", M: 15 }],
    widths: [4, 8],
    epochs: [1, 2],
    seeds: [0, 1],
  }, { runsDir: join(dir, "runs"), log: () => {} });
  const markdown = summaryMarkdown("smoke", { heatmaps: runs });
  const section = markdown.split("## ").find((s) => s.startsWith("Heat-map (notebook 04): CE − MSE"))!;
  const lines = section.trim().split("\n").filter((l) => l.startsWith("|"));
  expect(lines[0]).toBe("| epochs | width 4 | width 8 |");
  expect(lines.slice(2).map((l) => l.split("|")[1].trim())).toEqual(["1", "2"]);
  for (const line of lines.slice(2)) {
    for (const cell of line.split("|").slice(2, -1)) expect(cell.trim()).toMatch(/^\(?[+−]\d+\.\d\d ± \d+\.\d\d\)?$/);
  }
}, 60_000);
