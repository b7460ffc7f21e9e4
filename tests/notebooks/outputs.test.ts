import { expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname!, "../../notebooks");
const notebooks = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();

/** Every displayed text of a committed notebook (not the SVG figures' geometry), with where it is. */
function outputs(file: string): { where: string; text: string }[] {
  const notebook = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const found: { where: string; text: string }[] = [];
  notebook.cells.forEach((cell: { cell_type: string; outputs?: Record<string, unknown>[] }, i: number) => {
    for (const output of cell.outputs ?? []) {
      const join = (v: unknown) => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v));
      if (output.text !== undefined) found.push({ where: `${file} cell ${i} ${output.name}`, text: join(output.text) });
      for (const [mime, value] of Object.entries((output.data ?? {}) as Record<string, unknown>)) {
        if (mime !== "image/svg+xml") found.push({ where: `${file} cell ${i} ${mime}`, text: join(value) });
      }
    }
  });
  return found;
}

test("the committed notebooks have outputs", () => {
  expect(notebooks.length).toBeGreaterThanOrEqual(6);
  for (const file of notebooks) expect(outputs(file).length, file).toBeGreaterThan(0);
});

test.each(notebooks)("%s shows no terminal colour codes and no unrounded numbers", (file) => {
  const ansi = outputs(file).filter((o) => o.text.includes("\u001b["));
  expect(ansi.map((o) => o.where)).toEqual([]);
  // Seven or more decimals is a number shown as computed (82.41000000000001), not rounded for reading.
  const unrounded = outputs(file).flatMap((o) => (o.text.match(/\d\.\d{7,}/g) ?? []).map((m) => `${o.where}: ${m}`));
  expect(unrounded).toEqual([]);
});
