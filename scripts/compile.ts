/**
 * `deno task compile [--out dist/nc] [--level 0-9]`: the command line as one self-contained file for
 * machines without network (GPU nodes of a cluster): a POSIX shell launcher followed by an xz-packed
 * tar of the Deno binary, `lib/`, `deno.json`, the npm packages the library needs at run time (no
 * development packages) and the figure fonts. On first use it unpacks itself into
 * `${NC_BUNDLE_DIR:-$XDG_CACHE_HOME/nc-losses/<id>}` (atomically: a half-unpacked directory is never
 * used) and then runs `deno run -A lib/cli.ts "$@"`. The target needs `sh`, `tar` and `xz`, and the
 * same platform as the machine that built it.
 *
 * Why not `deno compile`: it downloads its runtime (`denort`) from dl.deno.land at compile time,
 * which machines that reach only the npm registry and Debian cannot; this bundle needs nothing
 * beyond what the set-up installed.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import process from "node:process";
import { FONT_FILES } from "../lib/figures/export.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd ?? root, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

/** The npm package directories the library needs at run time, outermost only. */
function runtimePackages(): string[] {
  // npm ls exits 1 over problems that do not matter here (extraneous packages) but still lists the tree.
  const listed = spawnSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, encoding: "utf8" });
  if (!listed.stdout?.trim()) throw new Error(`npm ls listed no packages: ${listed.stderr}`);
  const paths = listed.stdout.trim().split("\n")
    .map((p) => relative(root, p)).filter((p) => p.startsWith("node_modules"));
  const unique = [...new Set(paths)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && p.startsWith(q + "/")));
}

function launcher(id: string): string {
  return `#!/bin/sh
# nc: the neural-collapse toolkit's command line in one file (Deno, the library, its npm packages
# and fonts). Built by \`deno task compile\`; see the README. Needs sh, tar and xz.
set -eu
home="\${NC_BUNDLE_DIR:-\${XDG_CACHE_HOME:-\${HOME:-/tmp}/.cache}/nc-losses/${id}}"
if [ ! -f "$home/.complete" ]; then
  parent=$(dirname "$home")
  mkdir -p "$parent"
  partial="$home.partial.$$"
  rm -rf "$partial"
  mkdir -p "$partial"
  line=$(awk '/^__NC_PAYLOAD__$/ { print NR + 1; exit }' "$0")
  tail -n +"$line" "$0" | xz -dc | tar -x -C "$partial"
  touch "$partial/.complete"
  if ! mv -T "$partial" "$home" 2>/dev/null; then rm -rf "$partial"; fi
fi
export NC_FONT_DIR="$home/fonts"
NC_SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
export NC_SELF
# Paths on the command line are the caller's (an INIT_CWD left in the environment must not win).
INIT_CWD="$PWD"
export INIT_CWD
exec "$home/deno" run -A --config "$home/deno.json" "$home/lib/cli.ts" "$@"
__NC_PAYLOAD__
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { out: { type: "string" }, level: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    console.log("Usage: deno task compile [--out dist/nc] [--level 0-9]\n\nBuilds the command line as one file.");
    return;
  }
  const out = resolve(values.out ?? join(root, "dist", "nc"));
  const level = Number(values.level ?? 6);
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new Error(`--level must be 0 to 9, got ${values.level}`);
  }
  const stage = mkdtempSync(join(tmpdir(), "nc-compile-"));
  try {
    copyFileSync(realpathSync(join(root, "node_modules", ".bin", "deno")), join(stage, "deno"));
    chmodSync(join(stage, "deno"), 0o755);
    for (const item of ["lib", "deno.json", "package.json"]) {
      cpSync(join(root, item), join(stage, item), { recursive: true });
    }
    for (const pkg of runtimePackages()) {
      cpSync(join(root, pkg), join(stage, pkg), { recursive: true, dereference: true });
    }
    mkdirSync(join(stage, "fonts"));
    for (const font of Object.values(FONT_FILES)) copyFileSync(font, join(stage, "fonts", font.split("/").at(-1)!));
    const payload = join(stage, "..", `${stage.split("/").at(-1)}.tar.xz`);
    run("sh", ["-c", `tar -c -C "${stage}" . | xz -${level} -T0 > "${payload}"`]);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(payload)) hash.update(chunk as Uint8Array);
    const id = hash.digest("hex").slice(0, 16);
    mkdirSync(dirname(out), { recursive: true });
    const partial = `${out}.partial`;
    writeFileSync(partial, launcher(id));
    run("sh", ["-c", `cat "${payload}" >> "${partial}"`]);
    chmodSync(partial, 0o755);
    renameSync(partial, out);
    rmSync(payload, { force: true });
    const size = statSync(out).size;
    console.error(
      `[compile] ${relative(process.cwd(), out) || out}: ${(size / 2 ** 20).toFixed(1)} MiB (xz -${level}), id ${id}`,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

await main();
