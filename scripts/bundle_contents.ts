/**
 * What goes into the one-file bundles of `deno task compile`: the files, grouped into parts (the Deno
 * binary, one part per npm package, the project's own files), each with its path in the archive.
 *
 * - The full bundle: `lib/`, `bench/`, `deno.json`, `package.json`, every npm package that the
 *   project's `dependencies` need (whole, less source maps and type declarations) and the figure fonts.
 * - The training-only bundle: the modules that `nc train`, `nc sweep`, `nc runs`, `nc unlock` and the
 *   benchmark (`bench/bench.ts`) import, as `deno info` lists them, and of the npm packages only the
 *   files those modules load: each package's entry, followed through its `require`s and `import`s,
 *   with the package's `package.json` and the `.wasm` files beside a loaded file. It refuses to build
 *   when that graph reaches a presentation package ({@link PRESENTATION_PACKAGES}).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { COMMANDS } from "../lib/cli.ts";
import { FONT_FILES } from "../lib/figures/fonts.ts";

/** A file of the archive: its path there, and where its bytes come from (a file, or the bytes themselves). */
export interface BundleFile {
  readonly name: string;
  readonly source?: string;
  readonly data?: Uint8Array;
  readonly mode: number;
}

/** A group of files compressed on its own (and cached by its content). */
export interface BundlePart {
  readonly label: string;
  readonly files: readonly BundleFile[];
}

/** The packages that only tables, figures and notebooks need: never in the training-only bundle. */
export const PRESENTATION_PACKAGES = [
  "nodejs-polars",
  "@observablehq/plot",
  "linkedom",
  "@resvg/resvg-js",
  "pdfkit",
  "svg-to-pdfkit",
  "fontkit",
] as const;

/** Files of an npm package that nothing loads at run time. */
const NOT_RUNTIME = /\.(map|d\.ts|d\.mts|d\.cts)$/;

const BUILTINS = new Set(builtinModules);

function fileOf(source: string, name: string): BundleFile {
  return { name, source, mode: statSync(source).mode & 0o777 };
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const stat = statSync(path); // follows links, as the copy did
    return stat.isDirectory() ? walkFiles(path) : stat.isFile() ? [path] : [];
  });
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The package name and subpath of a bare specifier (`@scope/name/sub` → `@scope/name`, `sub`). */
function splitSpecifier(specifier: string): [name: string, subpath: string] {
  const parts = specifier.split("/");
  const n = specifier.startsWith("@") ? 2 : 1;
  return [parts.slice(0, n).join("/"), parts.slice(n).join("/")];
}

/** The directory of package `name` as Node resolves it from `fromDir`, or null. */
function findPackage(name: string, fromDir: string, top: string): string | null {
  for (let dir = fromDir;; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === top || dirname(dir) === dir) return null;
  }
}

/** The package directory (outermost `node_modules/<name>`) that holds a file. */
function packageDirOf(file: string, modules: string): string {
  const rest = relative(modules, file).split(sep);
  return join(modules, ...rest.slice(0, rest[0].startsWith("@") ? 2 : 1));
}

/** The string targets of an `exports` value under any condition Deno or Node may pick. */
function exportTargets(value: unknown, subpath: string): string[] {
  if (typeof value === "string") return subpath === "." ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => exportTargets(v, subpath));
  if (value === null || typeof value !== "object") return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([key]) => key.startsWith("."))) {
    const hit = entries.find(([key]) => key === subpath);
    return hit ? exportTargets(hit[1], ".") : [];
  }
  const conditions = ["deno", "node", "import", "require", "module", "default"];
  return entries.filter(([key]) => conditions.includes(key)).flatMap(([, v]) => exportTargets(v, subpath));
}

/** The file a path names, as Node completes it (extensions, `index.js`, a directory's `main`). */
function completeFile(path: string): string | null {
  for (const candidate of [path, ...[".js", ".json", ".node", ".cjs", ".mjs"].map((e) => path + e)]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    const pkg = join(path, "package.json");
    const main = existsSync(pkg) ? readJson(pkg).main : undefined;
    if (typeof main === "string") {
      const found = completeFile(join(path, main));
      if (found) return found;
    }
    return completeFile(join(path, "index"));
  }
  return null;
}

/** The entry files of a package for a subpath (`""` for the package itself). */
function packageEntries(pkgDir: string, subpath: string): string[] {
  const manifest = readJson(join(pkgDir, "package.json"));
  const key = subpath === "" ? "." : `./${subpath}`;
  if (manifest.exports !== undefined) {
    const targets = exportTargets(manifest.exports, key);
    if (targets.length > 0) return targets.map((t) => completeFile(join(pkgDir, t))).filter((f) => f !== null);
  }
  if (subpath !== "") return [completeFile(join(pkgDir, subpath))].filter((f) => f !== null);
  const main = typeof manifest.main === "string" ? manifest.main : "index";
  return [completeFile(join(pkgDir, main)) ?? completeFile(join(pkgDir, "index"))].filter((f) => f !== null);
}

const SPECIFIERS = [
  /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
  /\bfrom\s*(['"])([^'"\n]+)\1/g,
  /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
  /\bimport\s*(['"])([^'"\n]+)\1/g,
];

/**
 * The files of `node_modules` that loading `entries` reads: each file's `require`s and `import`s with
 * literal specifiers, followed (an unresolvable one, such as another platform's optional package, is
 * left out as Node would fail on it too), with each package's `package.json` and the `.wasm` files
 * beside a loaded file.
 */
export function loadedPackageFiles(entries: readonly string[], modules: string): Set<string> {
  const files = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const pkg = packageDirOf(file, modules);
    files.add(join(pkg, "package.json"));
    for (const sibling of readdirSync(dirname(file))) {
      if (sibling.endsWith(".wasm")) files.add(join(dirname(file), sibling));
    }
    if (!/\.(js|cjs|mjs)$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[2];
        if (specifier.startsWith("node:") || BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0])) continue;
        if (specifier.startsWith(".") || specifier.startsWith("/")) {
          const found = completeFile(join(dirname(file), specifier));
          if (found) queue.push(found);
          continue;
        }
        const [name, subpath] = splitSpecifier(specifier);
        const dir = findPackage(name, dirname(file), dirname(modules));
        if (dir) queue.push(...packageEntries(realpathSync(dir), subpath).map((f) => realpathSync(f)));
      }
    }
  }
  return files;
}

/**
 * The package directories (real paths) that `names` need, as Node resolves them from the checkout
 * `root`, with their dependencies (optional and peer ones where installed).
 */
export function packageClosure(names: readonly string[], root: string): Set<string> {
  // Where the checkout's node_modules really is (a link to another checkout's, for example).
  const top = dirname(realpathSync(join(root, "node_modules")));
  const dirs = new Set<string>();
  const queue = names.map((name) => [name, top] as const);
  while (queue.length > 0) {
    const [name, from] = queue.pop()!;
    const found = findPackage(name, from, top);
    const dir = found === null ? null : realpathSync(found);
    if (dir === null || dirs.has(dir)) continue;
    dirs.add(dir);
    const manifest = readJson(join(dir, "package.json"));
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
      for (const dep of Object.keys((manifest[field] ?? {}) as Record<string, string>)) queue.push([dep, dir]);
    }
  }
  return dirs;
}

interface GraphModule {
  kind: string;
  specifier: string;
  local?: string;
}

/** The modules `deno info` lists for an entry of the checkout: local files and npm package entries. */
function moduleGraph(root: string, entry: string): GraphModule[] {
  const deno = join(root, "node_modules", ".bin", "deno");
  const result = spawnSync(deno, ["info", "--json", entry], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`deno info ${entry} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { modules: GraphModule[] }).modules;
}

function denoPart(root: string): BundlePart {
  return { label: "deno", files: [fileOf(realpathSync(join(root, "node_modules", ".bin", "deno")), "deno")] };
}

/** The parts of one package directory's chosen files, named by their place under the checkout's `node_modules`. */
function packageParts(files: Iterable<string>, modules: string): BundlePart[] {
  const byPackage = new Map<string, BundleFile[]>();
  for (const file of files) {
    const pkg = relative(modules, packageDirOf(file, modules));
    const list = byPackage.get(pkg) ?? [];
    list.push(fileOf(file, join("node_modules", relative(modules, file))));
    byPackage.set(pkg, list);
  }
  return [...byPackage.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([pkg, list]) => ({
    label: pkg,
    files: list.sort((a, b) => a.name < b.name ? -1 : 1),
  }));
}

function projectFiles(root: string, paths: readonly string[]): BundleFile[] {
  return paths.flatMap((path) => {
    const full = join(root, path);
    return statSync(full).isDirectory()
      ? walkFiles(full).map((f) => fileOf(f, relative(root, f)))
      : [fileOf(full, path)];
  }).sort((a, b) => a.name < b.name ? -1 : 1);
}

/** The parts of the full bundle. */
export function fullBundle(root: string): BundlePart[] {
  const modules = realpathSync(join(root, "node_modules"));
  const manifest = readJson(join(root, "package.json"));
  const names = Object.keys(manifest.dependencies as Record<string, string>);
  // A package nested in another's node_modules comes with that package's files.
  const files = new Set([...packageClosure(names, root)].flatMap((dir) => walkFiles(dir)));
  const fonts = Object.values(FONT_FILES).map((font) => fileOf(font, `fonts/${font.split("/").at(-1)}`));
  return [
    denoPart(root),
    ...packageParts([...files].filter((f) => !NOT_RUNTIME.test(f)), modules),
    { label: "project", files: [...projectFiles(root, ["lib", "bench", "deno.json", "package.json"]), ...fonts] },
  ];
}

/** The module files of the checkout that the training-only bundle runs, and the npm entries they import. */
export function trainingGraph(root: string): { local: string[]; npmEntries: string[] } {
  const modules = realpathSync(join(root, "node_modules"));
  const entries = [
    "lib/cli.ts",
    ...COMMANDS.filter((c) => c.training).map((c) => join("lib", c.module)),
    "bench/bench.ts",
  ];
  const local = new Set<string>();
  const npmEntries = new Set<string>();
  for (const entry of entries) {
    for (const m of moduleGraph(root, entry)) {
      if (!m.specifier.startsWith("file://") || !m.local) continue;
      const path = realpathSync(m.local);
      if (path.startsWith(modules + sep)) {
        if (!NOT_RUNTIME.test(path)) npmEntries.add(path);
      } else if (path.startsWith(realpathSync(root) + sep)) {
        local.add(relative(realpathSync(root), path));
      }
    }
  }
  return { local: [...local].sort(), npmEntries: [...npmEntries].sort() };
}

/** The parts of the training-only bundle; throws when its graph reaches a presentation package. */
export function trainingBundle(root: string): BundlePart[] {
  const modules = realpathSync(join(root, "node_modules"));
  const { local, npmEntries } = trainingGraph(root);
  const files = loadedPackageFiles(npmEntries, modules);
  const packages = new Set([...files].map((f) => relative(modules, packageDirOf(f, modules))));
  const reached = PRESENTATION_PACKAGES.filter((p) => packages.has(p));
  if (reached.length > 0) {
    throw new Error(
      `the training-only bundle's modules reach ${reached.join(", ")}; import them lazily (see lib/cli.ts)`,
    );
  }
  // Only the dependencies it holds, so that Deno finds every package the manifest names.
  const manifest = readJson(join(root, "package.json"));
  const dependencies = Object.fromEntries(
    Object.entries(manifest.dependencies as Record<string, string>).filter(([name]) => packages.has(name)),
  );
  const slim = { ...manifest, dependencies, devDependencies: undefined, scripts: undefined };
  const packageJson = new TextEncoder().encode(JSON.stringify(slim, null, 2) + "\n");
  return [
    denoPart(root),
    ...packageParts(files, modules),
    {
      label: "project",
      files: [
        ...projectFiles(root, ["deno.json", ...local.filter((f) => f !== "package.json")]),
        { name: "package.json", data: packageJson, mode: 0o644 },
      ].sort((a, b) => a.name < b.name ? -1 : 1),
    },
  ];
}
