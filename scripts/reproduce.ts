/**
 * `deno task reproduce [--preset cpu|smoke]`: executes every notebook headless and exports its
 * figures.
 *
 * At the default `cpu` preset the executed notebooks replace `notebooks/*.ipynb` (so their outputs
 * can be read without running anything) and figures go to `figures/`. Other presets write both
 * under `runs/reproduce/<preset>/`, leaving the committed results untouched.
 */
import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { resolvePreset } from "../lib/experiments/presets.ts";
import { executeNotebook, listNotebooks } from "../lib/present/notebooks.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { preset: { type: "string" }, only: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    console.log(
      "Usage: deno task reproduce [--preset cpu|smoke] [--only SUBSTRING]\n\nExecutes every notebook headless and exports its figures.",
    );
    return 0;
  }
  const preset = resolvePreset(values.preset ?? "cpu");
  const committed = preset === "cpu";
  const outDir = committed ? null : join(root, "runs", "reproduce", preset);
  const figuresDir = committed ? join(root, "figures") : join(outDir!, "figures");
  const notebooks = listNotebooks(join(root, "notebooks")).filter((p) => !values.only || p.includes(values.only));
  if (notebooks.length === 0) throw new Error(`no notebook matches "${values.only}"`);
  const started = performance.now();
  for (const path of notebooks) {
    const t0 = performance.now();
    const name = path.split("/").pop()!;
    console.error(`[reproduce] ${name} (preset ${preset}) …`);
    const report = executeNotebook(path, {
      output: outDir ? join(outDir, name) : undefined,
      env: { NC_PRESET: preset, NC_FIGURES_DIR: figuresDir },
    });
    console.error(
      `[reproduce] ${name}: ${report.figures} figures in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  console.error(`[reproduce] done in ${((performance.now() - started) / 1000).toFixed(1)} s; figures in ${figuresDir}`);
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(2);
}
