/**
 * Doc tests: every ```ts example in the JSDoc of lib/ runs, and a line `expression; // value`
 * whose value is a literal (JSON, or numbers, arrays and objects written as in JavaScript) must
 * give that value (numbers to 1e-9 relative). Comments that are not literals ("// [1, 2, …, 30]",
 * "// 1 on a 2-core machine") are prose and not checked.
 *
 * An example opens with the exports of its own module and of `lib/mod.ts` in scope (and `pl`,
 * nodejs-polars, `tf`, TensorFlow.js, and `Plot`, Observable Plot). An example that cannot run here (it trains for minutes, needs a dataset, a
 * GPU or the run store) is fenced as ```ts ignore (the reason); the reason is required.
 */
import { describe, expect, test } from "vitest";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname!, "..");
const LIB = join(ROOT, "lib");
const SCRATCH = join(ROOT, ".vitest", "doc_examples");

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly ignore: string | null;
}

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** The ```ts blocks inside the JSDoc comments of a file. */
function examples(file: string): Example[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*\*\s?```ts(?:\s+ignore(.*))?\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*\*\s?```\s*$/.test(lines[j]); j++) body.push(lines[j].replace(/^\s*\*\s?/, ""));
    out.push({ file, line: i + 1, code: body.join("\n"), ignore: open[1] === undefined ? null : open[1].trim() });
    i = j;
  }
  return out;
}

/** A literal written in a comment, or undefined when the comment is prose. */
function literal(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    // Numbers, arrays and objects with bare keys: only digits, signs, brackets, quotes, keys.
    if (
      !/^[\s\d.eE+\-*/[\]{},:"a-zA-Z_]*$/.test(text) ||
      /\b(?!e\d)[a-zA-Z_]\w*\b(?!\s*:)/.test(text.replace(/"[^"]*"/g, ""))
    ) {
      if (!/^(true|false|null)$/.test(text.trim())) return undefined;
    }
    try {
      return { value: new Function(`return (${text});`)() };
    } catch {
      return undefined;
    }
  }
}

/** The example with `expression; // value` lines turned into checks. */
function withChecks(code: string): string {
  return code.split("\n").map((line) => {
    const m = /^(\s*)(?!const |let |var |return |import |export |for |if |while )(.+?);\s*\/\/\s*(.+)$/.exec(line);
    if (!m) return line;
    const expected = literal(m[3].trim());
    if (expected === undefined) return line;
    return `${m[1]}__check(${m[2]}, ${JSON.stringify(expected.value)}, ${JSON.stringify(m[2])});`;
  }).join("\n");
}

function close(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "number" && typeof actual === "number") {
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    const a = Array.from(actual as ArrayLike<unknown>), e = Array.from(expected as ArrayLike<unknown>);
    return a.length === e.length && e.every((x, i) => close(a[i], x));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return false;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].every((k) =>
      close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k])
    );
  }
  return Object.is(actual, expected);
}

(globalThis as Record<string, unknown>).__check = (actual: unknown, expected: unknown, source: string) => {
  if (!close(actual, expected)) {
    throw new Error(`${source} gives ${JSON.stringify(actual)}, the example says ${JSON.stringify(expected)}`);
  }
};

const all = files(LIB).flatMap(examples);
const mod = await import(pathToFileURL(join(LIB, "mod.ts")).href);
rmSync(SCRATCH, { recursive: true, force: true });
mkdirSync(SCRATCH, { recursive: true });

test("every example that does not run says why (```ts ignore (reason))", () => {
  const silent = all.filter((e) => e.ignore !== null && !/^\(.+\)$/.test(e.ignore));
  expect(silent.map((e) => `${relative(ROOT, e.file)}:${e.line}`)).toEqual([]);
});

describe.each(all.filter((e) => e.ignore === null).map((e) => [`${relative(ROOT, e.file)}:${e.line}`, e] as const))(
  "%s",
  (name, example) => {
    test("runs, and gives the values its comments state", async () => {
      const own = await import(pathToFileURL(example.file).href);
      const scope = { ...mod, ...own };
      const declared = new Set(
        [...example.code.matchAll(/\b(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]),
      );
      const used = [...new Set(example.code.match(/[A-Za-z_$][\w$]*/g) ?? [])]
        .filter((id) => id in scope && !declared.has(id));
      const header = [
        `import pl from "nodejs-polars";`,
        `import * as tf from "@tensorflow/tfjs";`,
        `import * as Plot from "@observablehq/plot";`,
        `import * as __mod from ${JSON.stringify(pathToFileURL(join(LIB, "mod.ts")).href)};`,
        `import * as __own from ${JSON.stringify(pathToFileURL(example.file).href)};`,
        `const { ${used.filter((id) => !["pl", "tf", "Plot"].includes(id)).join(", ")} } = { ...__mod, ...__own };`,
        `const __check = (globalThis as any).__check;`,
      ];
      const path = join(SCRATCH, `${name.replace(/[^\w]+/g, "_")}.ts`);
      writeFileSync(path, `${header.join("\n")}\n${withChecks(example.code)}\nexport {};\n`);
      await import(pathToFileURL(path).href);
    }, 60_000);
  },
);
