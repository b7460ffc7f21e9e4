import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { textBoxes, textLayoutIssues } from "./text_boxes.ts";

// Every exported figure (figures/) and every figure snapshot of the plot tests (the figure functions
// on synthetic data): no two texts overlap by more than 0.5 pt, and no text leaves the canvas or the
// panel that clips it. The measurer itself is tested in text_boxes.test.ts.
const here = dirname(fileURLToPath(import.meta.url));
const sources = [join(here, "../../figures"), join(here, "__snapshots__/figures")];
const files = sources.flatMap((dir) =>
  readdirSync(dir).filter((f) => f.endsWith(".svg")).sort().map((f) => join(dir, f))
);

describe("figure text layout", () => {
  test("there are figures to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  test.each(files.map((f) => [f.split("/").slice(-2).join("/"), f]))(
    "%s: text neither overlaps nor leaves the canvas",
    (
      _name,
      path,
    ) => {
      const svg = readFileSync(path, "utf8");
      expect(textBoxes(svg).length).toBeGreaterThan(0);
      expect(textLayoutIssues(svg).map((issue) => issue.message)).toEqual([]);
    },
  );
});
