/**
 * The search that chose the `cpu` preset's training recipe, as recorded in
 * `data/collapse_recipe_search.csv` (one-off runs that are not in the run store; `data/README.md`
 * describes the columns): read, and rendered as the Markdown table notebook 03 shows, by the
 * project's display rule for numbers.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import { LOSS } from "../core/loss_registry.ts";
import type { LossName } from "../core/losses.ts";
import { formatAccuracy, formatMetricColumn, markdownTable } from "./number_format.ts";

/** The record's path in the checkout. */
export const RECIPE_SEARCH_CSV = fileURLToPath(new URL("../../data/collapse_recipe_search.csv", import.meta.url));

const COLUMNS = ["batch_norm", "weight_decay", "epochs", "other", "loss", "nc1_drop", "nc2", "nc3", "test_accuracy"];

/**
 * The recorded runs as a frame (one row per run and loss).
 *
 * @example
 * ```ts
 * recipeSearchFrame().columns.slice(0, 3); // ["batch_norm", "weight_decay", "epochs"]
 * ```
 */
export function recipeSearchFrame(path: string = RECIPE_SEARCH_CSV): pl.DataFrame {
  const frame = pl.readCSV(readFileSync(path, "utf8"), {
    dtypes: {
      weight_decay: pl.Float64,
      nc1_drop: pl.Float64,
      nc2: pl.Float64,
      nc3: pl.Float64,
      test_accuracy: pl.Float64,
    },
  });
  const missing = COLUMNS.filter((c) => !frame.columns.includes(c));
  if (missing.length) throw new Error(`${path}: missing column(s) ${missing.join(", ")}`);
  return frame;
}

/**
 * The recorded runs as a Markdown table: weight decay in exponent form, NC1's drop as the factor
 * recorded, NC2 and NC3 at two significant digits, test accuracy at the one decimal it was recorded
 * with.
 *
 * @example
 * ```ts
 * recipeSearchMarkdown().split("\n")[0]; // "| batch_norm | weight_decay | epochs | other | loss | nc1_drop | nc2 | nc3 | test_accuracy |"
 * ```
 */
export function recipeSearchMarkdown(path: string = RECIPE_SEARCH_CSV): string {
  const rows = recipeSearchFrame(path).toRecords();
  const column = (key: string) => formatMetricColumn(rows.map((r) => r[key] as number | null));
  const [nc2, nc3] = [column("nc2"), column("nc3")];
  const shown = rows.map((r, i) => ({
    batch_norm: r.batch_norm ? "yes" : "no",
    weight_decay: (r.weight_decay as number).toExponential(0).replace("e+", "e"),
    epochs: String(r.epochs),
    other: r.other ?? "",
    loss: LOSS[r.loss as LossName]?.label ?? String(r.loss),
    nc1_drop: `${r.nc1_drop}×`,
    nc2: nc2[i],
    nc3: nc3[i],
    test_accuracy: r.test_accuracy === null ? `— (${r.note})` : formatAccuracy(r.test_accuracy as number, "figure"),
  }));
  return markdownTable(shown, COLUMNS, (v) => String(v));
}
