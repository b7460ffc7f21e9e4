import { afterAll, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectNotebook } from "../../lib/notebook/execute.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-inspect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function notebook(cells: unknown[]): string {
  const path = join(dir, `nb-${Math.random().toString(36).slice(2)}.ipynb`);
  writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

const svg = { output_type: "execute_result", data: { "image/svg+xml": "<svg/>" } };

test("inspectNotebook counts figures and accepts a clean notebook", () => {
  const report = inspectNotebook(notebook([
    { cell_type: "markdown", source: "# title" },
    { cell_type: "code", source: "show(fig, 'a')", outputs: [svg] },
  ]));
  expect(report).toMatchObject({ figures: 1, errors: [], missingFigures: [] });
});

test("inspectNotebook reports error outputs, error streams and show() cells without a figure", () => {
  const report = inspectNotebook(notebook([
    {
      cell_type: "code",
      source: "boom()",
      outputs: [{ output_type: "error", ename: "TypeError", evalue: "boom is not a function" }],
    },
    {
      cell_type: "code",
      source: "x",
      outputs: [{ output_type: "stream", name: "stderr", text: ["error: bad things\n"] }],
    },
    { cell_type: "code", source: ["const f = 1;\n", "show(f, 'b')"], outputs: [] },
  ]));
  expect(report.errors).toEqual(["cell 0: TypeError: boom is not a function", "cell 1: stderr: error: bad things"]);
  expect(report.missingFigures).toEqual([2]);
});
