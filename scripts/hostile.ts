/**
 * `deno task hostile`: feeds the command line every input of the hostile-input catalogue
 * (`tests/reliability/hostile_cases.ts`: issue 23's points 1–9 and the bad input tested before) and
 * prints a line per input and the counts table: inputs, one-line errors, handled, stack traces,
 * hangs, wrong answers, files written where nothing may be. Exits 1 when any input gave a stack
 * trace, a hang, a wrong answer or a written file. `--out FILE` also writes the table (Markdown);
 * `--lines` adds under each input the lines it printed that start with `error` or `[nc]` (the
 * backend's and the recipe's aside).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { HOSTILE_CASES } from "../tests/reliability/hostile_cases.ts";
import { countsTable, runCatalogue } from "../tests/reliability/hostile_runner.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { out: { type: "string" }, lines: { type: "boolean" } },
  strict: true,
});
const root = mkdtempSync(join(tmpdir(), "nc-hostile-"));
const started = performance.now();
try {
  const results = await runCatalogue(HOSTILE_CASES, root, (r) => {
    const detail = r.detail ? `: ${r.detail}` : "";
    console.error(`[${r.point}] ${r.outcome.padEnd(14)} ${r.seconds.toFixed(1).padStart(5)} s  ${r.name}${detail}`);
    if (values.lines) {
      const shown = r.raw.stderr.split("\n").filter((l) =>
        /^(error|\[nc\])/.test(l) && !/^\[nc\] (TensorFlow\.js backend|recipe)/.test(l)
      );
      for (const line of shown) console.error(`      ${line}`);
    }
  });
  const table = countsTable(results);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`${table}\n\n${results.length} hostile inputs through the command line in ${seconds} s.`);
  if (values.out) writeFileSync(values.out, table + "\n");
  const bad = results.filter((r) => !["one-line error", "handled"].includes(r.outcome));
  process.exitCode = bad.length > 0 ? 1 : 0;
} finally {
  rmSync(root, { recursive: true, force: true });
}
