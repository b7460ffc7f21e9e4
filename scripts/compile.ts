/**
 * `deno task compile [--training-only] [--out FILE] [--level 0-9] [--cache DIR]`: the command line as
 * one self-contained file for machines without network (GPU nodes of a cluster): a POSIX shell
 * launcher followed by an xz-packed tar archive.
 *
 * - `dist/nc`, the full bundle: the Deno binary, `lib/`, `bench/`, `deno.json`, `package.json`, the
 *   npm packages the library needs at run time (no development packages, no source maps) and the
 *   figure fonts.
 * - `dist/nc-training` (`--training-only`), for GPU nodes: the Deno binary and only what `nc train`,
 *   `nc sweep` (`--array-index` included), `nc runs`, `nc unlock` and the benchmark load
 *   (`scripts/bundle_contents.ts`): no nodejs-polars, Observable Plot, linkedom, resvg, PDFKit or
 *   fonts. Its other commands refuse with one line naming the full bundle.
 *
 * On first use a bundle unpacks itself into `${NC_BUNDLE_DIR:-$XDG_CACHE_HOME/nc-losses/<id>}`
 * (atomically: a half-unpacked directory is never used) and then runs `deno run -A lib/cli.ts "$@"`;
 * `./nc bench …` runs `bench/bench.ts` instead (`deno task bench` in a checkout). The target needs
 * `sh`, `tar` and `xz`, and the same platform as the machine that built it.
 *
 * Each part of the archive (the Deno binary, each npm package, the project's files) is compressed on
 * its own and cached under `--cache` (`~/.cache/nc-losses/compile`), so a rebuild compresses only what changed
 * (`scripts/bundle_archive.ts`). An interrupted build (SIGINT, SIGTERM, an error) leaves no staging
 * files and no partial bundle behind.
 *
 * Why not `deno compile`: it downloads its runtime (`denort`) from dl.deno.land at compile time,
 * which machines that reach only the npm registry and Debian cannot; this bundle needs nothing
 * beyond what the set-up installed.
 *
 * @module
 */
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, relative, resolve } from "node:path";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import process from "node:process";
import { once } from "node:events";
import { fullBundle, trainingBundle } from "./bundle_contents.ts";
import { compressParts, Staging } from "./bundle_archive.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: deno task compile [--training-only] [--out FILE] [--level 0-9] [--cache DIR]

Builds the command line as one file for machines without network.

  --training-only  only what nc train, nc sweep, nc runs, nc unlock and ./nc bench need (dist/nc-training)
  --out FILE       where to write it (default dist/nc, or dist/nc-training)
  --level N        xz's compression level (default 6)
  --cache DIR      where compressed parts are kept between builds
                   (default $XDG_CACHE_HOME/nc-losses/compile, ~/.cache/nc-losses/compile)`;

function launcher(id: string, bundle: "full" | "training-only"): string {
  const what = bundle === "full"
    ? "Deno, the library, its npm packages and fonts"
    : "Deno and what nc train, nc sweep, nc runs, nc unlock and ./nc bench need";
  return `#!/bin/sh
# nc: the neural-collapse toolkit's command line in one file (${what}).
# Built by \`deno task compile\`; see docs/backends.md. Needs sh, tar and xz.
# \`./nc bench …\` runs the benchmark (bench/bench.ts).
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
NC_BUNDLE=${bundle}
export NC_BUNDLE
# Paths on the command line are the caller's (an INIT_CWD left in the environment must not win).
INIT_CWD="$PWD"
export INIT_CWD
if [ "\${1:-}" = bench ]; then
  shift
  exec "$home/deno" run -A --config "$home/deno.json" "$home/bench/bench.ts" "$@"
fi
exec "$home/deno" run -A --config "$home/deno.json" "$home/lib/cli.ts" "$@"
__NC_PAYLOAD__
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      "training-only": { type: "boolean" },
      out: { type: "string" },
      level: { type: "string" },
      cache: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const bundle = values["training-only"] ? "training-only" : "full";
  const out = resolve(values.out ?? join(root, "dist", bundle === "full" ? "nc" : "nc-training"));
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const cache = resolve(values.cache ?? join(cacheHome, "nc-losses", "compile"));
  const level = Number(values.level ?? 6);
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new Error(`--level must be 0 to 9, got ${values.level}`);
  }
  const started = performance.now();
  const staging = new Staging(cache);
  try {
    const parts = bundle === "full" ? fullBundle(root) : trainingBundle(root);
    const log = (line: string) => console.error(`[compile] ${line}`);
    const streams = await compressParts(parts, { level, cache, staging, log });
    const hash = createHash("sha256");
    for (const stream of streams) {
      for await (const chunk of createReadStream(stream)) hash.update(chunk as Uint8Array);
    }
    const id = hash.digest("hex").slice(0, 16);
    mkdirSync(dirname(out), { recursive: true });
    const partial = `${out}.partial`;
    staging.track(partial);
    writeFileSync(partial, launcher(id, bundle), { mode: 0o755 });
    const sink = createWriteStream(partial, { flags: "a" });
    for (const stream of streams) {
      for await (const chunk of createReadStream(stream)) {
        if (!sink.write(chunk)) await once(sink, "drain");
      }
    }
    sink.end();
    await once(sink, "finish");
    chmodSync(partial, 0o755);
    renameSync(partial, out);
    staging.untrack(partial);
    const size = statSync(out).size;
    const seconds = (performance.now() - started) / 1000;
    console.error(
      `[compile] ${relative(process.cwd(), out) || out}: ${
        (size / 2 ** 20).toFixed(1)
      } MiB (${bundle}, xz -${level}), ` +
        `id ${id}, ${seconds.toFixed(0)} s`,
    );
  } finally {
    staging.dispose();
  }
}

try {
  await main();
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
}
