import { afterAll, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeNotebook, inspectNotebook, listNotebooks } from "../../lib/notebook/execute.ts";

const root = join(import.meta.dirname!, "../..");
const dir = mkdtempSync(join(tmpdir(), "nc-notebooks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notebooks = listNotebooks(join(root, "notebooks"));

test("the notebooks directory holds the foundation notebooks", () => {
  const names = notebooks.map((p) => p.split("/").pop());
  expect(names).toEqual(expect.arrayContaining(["01_ufm_global_minimizers.ipynb", "02_ufm_landscape.ipynb"]));
});

describe.each(notebooks.map((p) => [p.split("/").pop()!, p]))("%s", (_, path) => {
  test("executes headless at the smoke preset with no error and every figure shown", () => {
    const name = path.split("/").pop()!;
    const figures = join(dir, "figures");
    const report = executeNotebook(path, {
      output: join(dir, name),
      env: { NC_PRESET: "smoke", NC_FIGURES_DIR: figures, NC_RUNS_DIR: join(dir, "runs") },
      cellTimeout: 300,
    });
    expect(report.errors).toEqual([]);
    expect(report.missingFigures).toEqual([]);
    const showCells = (JSON.parse(readFileSync(path, "utf8")).cells as { cell_type: string; source: string[] }[])
      .filter((c) => c.cell_type === "code" && /\bshow\(/.test(c.source.join(""))).length;
    expect(report.figures).toBeGreaterThanOrEqual(showCells);
    expect(inspectNotebook(join(dir, name)).figures).toBe(report.figures);
  }, 300_000);
});

test("a notebook whose cell fails is an error naming the notebook and the cause, and writes nothing", () => {
  const path = notebooks.find((p) => p.includes("01_"))!;
  const output = join(dir, "failed.ipynb");
  expect(() => executeNotebook(path, { output, env: { NC_PRESET: "huge" } })).toThrow(
    /01_ufm_global_minimizers\.ipynb: execution failed \(.*unknown preset "huge" \(from NC_PRESET\)/,
  );
  expect(existsSync(output)).toBe(false);
}, 120_000);
