/**
 * The hostile-input catalogue (`hostile_cases.ts`) through the command line: every input ends in one
 * error line naming its cause (exit non-zero, nothing written) or in its correct result (a lock
 * taken over, a run resumed, a sweep that goes on), and none in a stack trace, a hang, a wrong
 * answer or a written file. The counts table is printed (`deno task hostile` prints it too).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOSTILE_CASES } from "./hostile_cases.ts";
import { type CaseResult, countsTable, runCatalogue } from "./hostile_runner.ts";

const root = mkdtempSync(join(tmpdir(), "nc-hostile-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let results: CaseResult[] = [];
beforeAll(async () => {
  results = await runCatalogue(HOSTILE_CASES, root);
}, 240_000);

test.each(HOSTILE_CASES.map((c, i) => [`[${c.point}] ${c.name}`, i] as const))(
  "%s: a one-line error or its correct result",
  (_, i) => {
    const r = results[i];
    expect(`${r.outcome}${r.detail ? `: ${r.detail}` : ""}`).toMatch(/^(one-line error|handled)$/);
  },
);

test("the counts: no stack trace, no hang, no wrong answer, nothing written where nothing may be", () => {
  const table = countsTable(results);
  console.log(`${table}\n(${results.length} hostile inputs)`);
  const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
  expect({
    stack: count("stack trace"),
    hang: count("hang"),
    wrong: count("wrong answer"),
    wrote: count("wrote files"),
  }).toEqual({ stack: 0, hang: 0, wrong: 0, wrote: 0 });
  // Every point of issue 23 has inputs.
  expect(new Set(results.map((r) => r.point))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
});
