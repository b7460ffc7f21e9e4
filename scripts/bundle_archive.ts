/**
 * The payload of a one-file bundle: a tar archive, written part by part (ustar, owner 0, time 0, so
 * the same files give the same bytes), each part compressed by `xz` on its own. `xz -d` reads the
 * concatenated streams as one, so the payload unpacks with `xz -dc | tar -x` like a single archive.
 *
 * A part's compressed stream is kept in a cache folder under the hash of its tar bytes and the level:
 * a rebuild compresses only the parts that changed (the project's files, usually), and the full and
 * the training-only bundle share the Deno binary's stream. Work in progress goes to a staging folder
 * inside the cache, which {@link Staging} removes on errors and on SIGINT/SIGTERM.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import process from "node:process";
import type { BundleFile, BundlePart } from "./bundle_contents.ts";

const BLOCK = 512;

/** Part of the cache's key: change it whenever the tar bytes of the same files or xz's options (but the level) change. */
const FORMAT = "nc-bundle-tar-1";

function octal(value: number, width: number): string {
  const text = value.toString(8);
  if (text.length > width - 1) throw new Error(`${value} does not fit a tar field of ${width} bytes`);
  return text.padStart(width - 1, "0") + "\0";
}

/** The 512-byte ustar header of a regular file. */
export function tarHeader(name: string, size: number, mode: number): Uint8Array {
  const encoder = new TextEncoder();
  let prefix = "";
  let rest = name;
  if (encoder.encode(name).length > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || encoder.encode(name.slice(cut + 1)).length > 100) throw new Error(`path too long for tar: ${name}`);
    prefix = name.slice(0, cut);
    rest = name.slice(cut + 1);
  }
  const header = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => header.set(encoder.encode(text), offset);
  put(0, rest);
  put(100, octal(mode, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(0, 12));
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  put(345, prefix);
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return header;
}

/** The tar bytes of a part's files, without the archive's end (two zero blocks, a part of its own). */
export function tarBytes(files: readonly BundleFile[]): Uint8Array[] {
  return files.flatMap((file) => {
    const data = file.data ?? readFileSync(file.source!);
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    return [tarHeader(file.name, data.length, file.mode), data, new Uint8Array(padding)];
  });
}

/**
 * A staging folder and the child processes working for it: {@link Staging.dispose} kills them and
 * removes the folder and the other paths registered with {@link Staging.track}; a SIGINT or SIGTERM
 * does the same and exits with 128 + the signal's number.
 */
export class Staging {
  readonly dir: string;
  readonly #paths = new Set<string>();
  readonly #children = new Set<ChildProcess>();
  readonly #listeners: ["SIGINT" | "SIGTERM", () => void][] = [];
  #stopped = false;

  constructor(parent: string) {
    mkdirSync(parent, { recursive: true });
    this.dir = mkdtempSync(join(parent, "stage-"));
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const listener = () => {
        this.dispose();
        process.exit(code);
      };
      process.on(signal, listener);
      this.#listeners.push([signal, listener]);
    }
  }

  /** Removes `path` too when the build stops. */
  track(path: string): void {
    this.#paths.add(path);
  }

  /** No longer removes `path` (it is finished). */
  untrack(path: string): void {
    this.#paths.delete(path);
  }

  /** Runs a child process for the build and waits for it; kills it if the build stops first. */
  run(command: string, args: string[], input: readonly Uint8Array[], outFile: string): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error("the build has stopped"));
    const out = openSync(outFile, "w");
    const child = spawn(command, args, { stdio: ["pipe", out, "pipe"] });
    closeSync(out);
    this.#children.add(child);
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      child.on("error", (error) => reject(new Error(`${command}: ${error.message}`)));
      child.on("close", (code, signal) => {
        this.#children.delete(child);
        if (code === 0) resolve();
        else reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}: ${stderr}`));
      });
      child.stdin!.on("error", () => {}); // the exit status reports the failure
      for (const chunk of input) child.stdin!.write(chunk);
      child.stdin!.end();
    });
  }

  /** Kills the children, removes the staging folder and the tracked paths, and stops listening for signals. */
  dispose(): void {
    this.#stopped = true;
    for (const child of this.#children) child.kill("SIGKILL");
    for (const path of [this.dir, ...this.#paths]) rmSync(path, { recursive: true, force: true });
    for (const [signal, listener] of this.#listeners) process.off(signal, listener);
    this.#listeners.length = 0;
  }
}

/** Cached streams not used for this long are deleted after a build. */
const CACHE_DAYS = 30;

/**
 * The compressed stream of each part (from the cache, or compressed now with `xz -<level>` and kept
 * there), in order, and last the archive's end (two zero blocks). The returned files live in `cache`.
 * Parts are compressed in parallel, one `xz` process a core, the largest first.
 */
export async function compressParts(
  parts: readonly BundlePart[],
  options: { level: number; cache: string; staging: Staging; log?: (line: string) => void },
): Promise<string[]> {
  const { level, cache, staging } = options;
  const jobs = [
    ...parts.map((p) => ({ label: p.label, bytes: () => tarBytes(p.files), size: partSize(p) })),
    { label: "end", bytes: () => [new Uint8Array(2 * BLOCK)], size: 0 },
  ];
  const streams: string[] = new Array(jobs.length);
  const compress = async (index: number): Promise<void> => {
    const { label, bytes: makeBytes } = jobs[index];
    const bytes = makeBytes();
    const hash = createHash("sha256").update(`${FORMAT} xz -${level}\n`);
    for (const chunk of bytes) hash.update(chunk);
    const file = join(cache, `${hash.digest("hex").slice(0, 32)}.xz`);
    if (existsSync(file)) {
      const now = new Date();
      utimesSync(file, now, now);
    } else {
      const started = performance.now();
      const temporary = join(staging.dir, `part-${index}.xz`);
      await staging.run("xz", [`-${level}`, "-T1", "-c"], bytes, temporary);
      renameSync(temporary, file);
      const seconds = (performance.now() - started) / 1000;
      if (seconds > 5) options.log?.(`compressed ${label} in ${seconds.toFixed(0)} s`);
    }
    streams[index] = file;
  };
  const queue = jobs.map((_, i) => i).sort((a, b) => jobs[b].size - jobs[a].size);
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) await compress(index);
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  const old = Date.now() - CACHE_DAYS * 86_400_000;
  for (const name of readdirSync(cache).filter((n) => n.endsWith(".xz"))) {
    if (statSync(join(cache, name)).mtimeMs < old) rmSync(join(cache, name), { force: true });
  }
  return streams;
}

function partSize(part: BundlePart): number {
  return part.files.reduce((sum, f) => sum + (f.data?.length ?? statSync(f.source!).size), 0);
}
