/**
 * The shape of `lib/`: imports point only down the layers, files stay short, and the public
 * surface (`lib/mod.ts`) changes only deliberately — its names are kept in a snapshot file, and
 * the notebooks import nothing else from the library.
 */
import { expect, test } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname!, "..");
const LIB = join(ROOT, "lib");

/** Layers from the bottom; a file may import from its own layer and those below. */
const LAYERS = [
  "environment.ts",
  "backend",
  "core",
  "store",
  "data",
  "models",
  "training",
  "experiments",
  "report",
  "figures",
  "notebook",
  "site",
  "cli",
  "cli.ts",
  "mod.ts",
];
/** Layers that sit side by side: neither imports the other. */
const SIDE_BY_SIDE = [["data", "models"]];

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

const layerOf = (path: string) => relative(LIB, path).split("/")[0];
const rank = (layer: string) => {
  const sideBySide = SIDE_BY_SIDE.find((pair) => pair.includes(layer));
  return LAYERS.indexOf(sideBySide ? sideBySide[0] : layer);
};

function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    normalize(join(dirname(file), m[1]))
  );
}

test("every library file sits in a known layer, and imports point only down the layers", () => {
  const upward: string[] = [];
  for (const file of files(LIB)) {
    const from = layerOf(file);
    expect(LAYERS, relative(ROOT, file)).toContain(from);
    for (const target of relativeImports(file)) {
      const to = layerOf(target);
      const sideways = from !== to && rank(from) === rank(to);
      if (rank(to) > rank(from) || sideways) upward.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
    }
  }
  expect(upward).toEqual([]);
});

test("no library file is longer than 400 lines", () => {
  const long = files(LIB)
    .map((f) => [relative(ROOT, f), readFileSync(f, "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > 400);
  expect(long).toEqual([]);
});

/** The names `lib/mod.ts` exports, as "value NAME (module)" or "type NAME (module)" lines. */
function surface(): string[] {
  const text = readFileSync(join(LIB, "mod.ts"), "utf8");
  return [...text.matchAll(/export\s*\{([^}]*)\}\s*from\s*"\.\/([^"]+)"/g)].flatMap(([, names, module]) =>
    names.split(",").map((n) => n.trim()).filter(Boolean).map((n) =>
      n.startsWith("type ") ? `type ${n.slice(5)} (${module})` : `value ${n} (${module})`
    )
  ).sort();
}

test("the public surface is the list kept in tests/__snapshots__/public_surface.txt", async () => {
  const names = surface();
  // The parse of mod.ts agrees with what the module exports at run time.
  const runtime = Object.keys(await import("../lib/mod.ts")).sort();
  expect(names.filter((n) => n.startsWith("value ")).map((n) => n.split(" ")[1]).sort()).toEqual(runtime);
  await expect(names.join("\n") + "\n").toMatchFileSnapshot("./__snapshots__/public_surface.txt");
});

test("the notebooks import the library only through lib/mod.ts, and only names it exports", () => {
  const exported = new Set(surface().map((n) => n.split(" ")[1]));
  const dir = join(ROOT, "notebooks");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const cells = JSON.parse(readFileSync(join(dir, name), "utf8")).cells as { cell_type: string; source: string[] }[];
    const code = cells.filter((c) => c.cell_type === "code").map((c) => c.source.join("")).join("\n");
    for (const [, names, from] of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      if (!from.startsWith(".")) continue; // npm packages
      expect(from, name).toBe("../lib/mod.ts");
      for (const n of names.split(",").map((s) => s.trim().replace(/^type /, "")).filter(Boolean)) {
        expect(exported.has(n), `${name} imports ${n}`).toBe(true);
      }
    }
  }
});
