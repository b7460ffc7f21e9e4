import { expect, test } from "vitest";
import { tmpdir } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { classify, type RawResult } from "./hostile_runner.ts";
import { HOSTILE_CASES } from "./hostile_cases.ts";

const root = tmpdir();

test("the classification tells each outcome apart", () => {
  const due = { point: 7, name: "x", due: { error: /cannot write x/ }, run: () => Promise.reject() };
  const raw = (code: number | null, stderr: string, more: Partial<RawResult> = {}): RawResult => ({
    code,
    signal: null,
    stdout: "",
    stderr,
    timedOut: false,
    ...more,
  });
  expect(classify(due, raw(2, "error: cannot write x: full (ENOSPC)\n"), [], root)[0]).toBe("one-line error");
  expect(classify(due, raw(1, "error: Error: boom\n    at f (file:///a.ts:1:2)\n"), [], root)[0]).toBe("stack trace");
  expect(classify(due, raw(null, "", { timedOut: true }), [], root)[0]).toBe("hang");
  expect(classify(due, raw(0, ""), [], root)[0]).toBe("wrong answer");
  expect(classify(due, raw(2, "error: cannot read y\n"), [], root)[0]).toBe("wrong answer");
  expect(classify(due, raw(2, "error: cannot write x\nerror: again\n"), [], root)[0]).toBe("wrong answer");
  expect(classify(due, raw(2, "error: cannot write x\n"), ["runs/", "runs/a/"], root)[0]).toBe("wrote files");
  const writes = { ...due, mayWrite: true };
  expect(classify(writes, raw(2, "error: cannot write x\n"), ["runs/a/status.json"], root)[0]).toBe("one-line error");
  expect(classify(writes, raw(2, "error: cannot write x\n"), ["runs/a/status.json.1.2.tmp"], root)[0]).toBe(
    "wrote files",
  );
  const handled = { ...due, due: { handled: (r: RawResult) => (r.code === 0 ? null : "exit") } };
  expect(classify(handled, raw(0, "[nc] took over"), [], root)[0]).toBe("handled");
  expect(classify(handled, raw(1, ""), [], root)[0]).toBe("wrong answer");
});

test("docs/training.md states the catalogue's size", () => {
  const doc = readFileSync(join(import.meta.dirname!, "..", "..", "docs", "training.md"), "utf8");
  expect(doc).toMatch(new RegExp(`feeds the command line ${HOSTILE_CASES.length}\\s+bad or hostile inputs`));
  expect(doc).toMatch(new RegExp(`\\(${HOSTILE_CASES.length}\\s+inputs: `));
});
