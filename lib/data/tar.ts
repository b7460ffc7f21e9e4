/**
 * A minimal reader of ustar / GNU tar archives that refuses anything that could write outside the
 * directory it unpacks into.
 *
 * Only regular files and directories are accepted. Every entry must lie under one expected top-level
 * directory; absolute paths, `..` components, symbolic and hard links, devices and extension headers
 * (long names, pax) are refused with an error naming the entry. The whole archive is checked
 * before anything is written, so a refused archive writes nothing.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DataError } from "./dataset.ts";

/** One entry of an archive. */
export interface TarEntry {
  /** Path inside the archive, without a leading `./` or a trailing `/`. */
  readonly path: string;
  readonly type: "file" | "directory";
  /** The file's bytes (empty for directories). */
  readonly data: Uint8Array;
}

const BLOCK = 512;

function text(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

function octal(bytes: Uint8Array, start: number, length: number, what: string, source: string): number {
  if (bytes[start] & 0x80) throw new DataError(`${source}: ${what} in base-256 encoding is not supported`);
  const raw = text(bytes, start, length).trim();
  if (!/^[0-7]*$/.test(raw)) throw new DataError(`${source}: ${what} "${raw}" is not an octal number`);
  return raw === "" ? 0 : parseInt(raw, 8);
}

const TYPES: Record<string, string> = {
  "1": "a hard link",
  "2": "a symbolic link",
  "3": "a character device",
  "4": "a block device",
  "6": "a FIFO",
  "7": "a contiguous file",
  L: "a GNU long-name header",
  K: "a GNU long-link header",
  x: "a pax extended header",
  g: "a pax global header",
};

/**
 * The entries of an uncompressed tar archive, each checked to lie under `root/`.
 *
 * @example
 * ```ts ignore (needs the CIFAR-10 archive)
 * const entries = readTar(gunzipSync(readFileSync("cifar-10-binary.tar.gz")), { root: "cifar-10-batches-bin" });
 * ```
 */
export function readTar(bytes: Uint8Array, options: { root: string; source?: string }): TarEntry[] {
  const source = options.source ?? "archive";
  const entries: TarEntry[] = [];
  let offset = 0;
  while (true) {
    if (offset + BLOCK > bytes.length) {
      throw new DataError(`${source}: truncated tar archive (no end-of-archive block)`);
    }
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    // The checksum sums the header's bytes with its own field read as spaces; some old writers
    // summed signed bytes, so either sum is accepted.
    let sum = 0, signedSum = 0;
    for (let i = 0; i < BLOCK; i++) {
      const byte = i >= 148 && i < 156 ? 32 : header[i];
      sum += byte;
      signedSum += byte > 127 ? byte - 256 : byte;
    }
    const checksum = octal(header, 148, 8, "header checksum", source);
    if (checksum !== sum && checksum !== signedSum) {
      throw new DataError(`${source}: corrupt tar header at byte ${offset} (checksum mismatch)`);
    }
    const magic = text(header, 257, 6);
    const prefix = magic === "ustar" ? text(header, 345, 155) : "";
    const rawName = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
    const flag = String.fromCharCode(header[156] || 48);
    const size = octal(header, 124, 12, `size of "${rawName}"`, source);
    if (flag !== "0" && flag !== "5") {
      const kind = TYPES[flag] ?? `an entry of type "${flag}"`;
      const link = flag === "1" || flag === "2" ? ` to "${text(header, 157, 100)}"` : "";
      throw new DataError(`${source}: refused entry "${rawName}": ${kind}${link} (only files and directories)`);
    }
    const path = safePath(rawName, options.root, source);
    const start = offset + BLOCK;
    if (start + size > bytes.length) throw new DataError(`${source}: entry "${rawName}" is truncated`);
    entries.push({
      path,
      type: flag === "5" ? "directory" : "file",
      data: flag === "5" ? new Uint8Array(0) : bytes.subarray(start, start + size),
    });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  // A file where a directory must be (the root, or a folder of a later entry) could not be unpacked.
  const files = new Set(entries.filter((e) => e.type === "file").map((e) => e.path));
  for (const { path } of entries) {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if ((i < parts.length || folder === options.root) && files.has(folder)) {
        throw new DataError(`${source}: refused entry "${folder}": a file where a directory must be`);
      }
    }
  }
  return entries;
}

/** The entry's path if it is a relative path under `root`, else an error naming it. */
function safePath(name: string, root: string, source: string): string {
  const refuse = (why: string) => new DataError(`${source}: refused entry "${name}": ${why}`);
  if (name === "") throw refuse("empty name");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || name.includes("\\")) throw refuse("absolute path");
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw refuse("a path with '..' that could leave the target directory");
  if (parts[0] !== root) throw refuse(`outside the expected directory "${root}/"`);
  return parts.join("/");
}

/**
 * Writes checked entries under `directory` (which must exist).
 *
 * @example
 * ```ts ignore (needs the CIFAR-100 archive)
 * writeTarEntries(readTar(bytes, { root: "cifar-100-binary" }), "data/.unpack");
 * ```
 */
export function writeTarEntries(entries: readonly TarEntry[], directory: string): void {
  for (const entry of entries) {
    const target = join(directory, entry.path);
    if (entry.type === "directory") {
      mkdirSync(target, { recursive: true });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entry.data);
    }
  }
}
