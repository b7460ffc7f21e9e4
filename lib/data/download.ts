/**
 * Getting CIFAR: download the official binary archive, check its MD5, unpack it where the loaders
 * look (the repository's `data/cifar-10-batches-bin`, `data/cifar-100-binary`).
 *
 * The transfer goes to `<archive>.part`, renamed to the archive's name only once its MD5 matches,
 * so a half archive never looks complete. An interrupted transfer keeps the `.part` file and the
 * next call resumes it with an HTTP Range request, or restarts when the server ignores ranges. A
 * wrong checksum removes the `.part` file. Unpacking checks every entry first (`tar.ts`), writes
 * into a temporary directory beside the target and renames it into place with a marker file, so a
 * second call finds the data and does nothing.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CIFAR_LAYOUTS } from "./cifar.ts";
import { DATA_DIR } from "./data_dir.ts";
import { DataError } from "./dataset.ts";
import { readTar, writeTarEntries } from "./tar.ts";

const files = (layout: { train: readonly string[]; test: readonly string[] }) => [...layout.train, ...layout.test];

/** Where each CIFAR archive comes from and what it unpacks to (the binary layouts of `cifar.ts`). */
export const CIFAR_ARCHIVES = {
  cifar10: {
    url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    md5: "c32a1d4ab5d03f1284b67883e8d87530",
    directory: CIFAR_LAYOUTS.cifar10.binary.directory,
    files: files(CIFAR_LAYOUTS.cifar10.binary),
  },
  cifar100: {
    url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
    md5: "03b5dce01913d631647c71ecec9e9cb8",
    directory: CIFAR_LAYOUTS.cifar100.binary.directory,
    files: files(CIFAR_LAYOUTS.cifar100.binary),
  },
} as const;

/** A dataset that {@link fetchCifar} can get. */
export type CifarName = keyof typeof CIFAR_ARCHIVES;

/** The file written into an unpacked directory once it is complete. */
const COMPLETE_MARKER = ".nc-data-complete.json";

/** MD5 of a file, read in 1 MiB chunks. */
function fileMd5(path: string): string {
  const hash = createHash("md5"), buffer = new Uint8Array(1 << 20), fd = openSync(path, "r");
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * Downloads `url` to `dest` through `dest.part`, resuming a `.part` left by an interrupted call, and
 * renames it to `dest` only when its MD5 is `md5`.
 *
 * @example
 * ```ts ignore (downloads)
 * await downloadVerified("https://example.org/a.tar.gz", "data/a.tar.gz", { md5: "…" });
 * ```
 */
async function downloadVerified(
  url: string,
  dest: string,
  options: { md5: string; log?: (line: string) => void },
): Promise<void> {
  const log = options.log ?? (() => {});
  const part = `${dest}.part`;
  let offset = existsSync(part) ? statSync(part).size : 0;
  const request = (from: number) =>
    fetch(url, from > 0 ? { headers: { Range: `bytes=${from}-` } } : {}).catch((error) => {
      throw new DataError(`${url}: ${(error as Error).message}`);
    });
  let response = await request(offset);
  if (offset > 0 && response.status === 416) {
    // The part is as long as the file or longer: start again rather than trust it.
    await response.body?.cancel();
    offset = 0;
    response = await request(0);
  }
  const resumed = offset > 0 && response.status === 206 &&
    (response.headers.get("content-range") ?? "").startsWith(`bytes ${offset}-`);
  if (!resumed && response.status !== 200) {
    await response.body?.cancel();
    throw new DataError(`${url}: HTTP ${response.status} ${response.statusText}`);
  }
  if (offset > 0) log(resumed ? `[nc] resuming ${url} at byte ${offset}` : `[nc] ${url}: no resume; starting again`);
  else log(`[nc] downloading ${url}`);
  if (!resumed) offset = 0;
  const length = Number(response.headers.get("content-length") ?? NaN);
  const fd = openSync(part, resumed ? "a" : "w");
  let received = 0;
  try {
    for await (const chunk of response.body ?? []) {
      writeSync(fd, chunk);
      received += chunk.length;
    }
  } catch (error) {
    throw new DataError(
      `download of ${url} interrupted after ${offset + received} bytes (${
        (error as Error).message
      }); ${part} is kept: run the command again to resume`,
    );
  } finally {
    closeSync(fd);
  }
  if (Number.isFinite(length) && received < length) {
    throw new DataError(
      `download of ${url} interrupted after ${offset + received} of ${
        offset + length
      } bytes; ${part} is kept: run the command again to resume`,
    );
  }
  const md5 = fileMd5(part);
  if (md5 !== options.md5) {
    unlinkSync(part);
    throw new DataError(
      `${url}: MD5 of the download is ${md5}, expected ${options.md5}; the download was removed, run the command again`,
    );
  }
  renameSync(part, dest);
}

/** Options of {@link fetchCifar}. */
export interface FetchCifarOptions {
  /** Directory that receives the archive and the unpacked directory (default: the repository's `data/`, {@link DATA_DIR}). */
  dataDir?: string;
  /** Where to download from (default: the official archive). */
  url?: string;
  /** Expected MD5 of the archive (default: the official archive's). */
  md5?: string;
  log?: (line: string) => void;
}

/**
 * Makes CIFAR-10 or CIFAR-100 available under `dataDir`, downloading and unpacking only what is
 * missing, and returns the unpacked directory (what `--data-dir` of training takes).
 *
 * @example
 * ```ts ignore (downloads 160 MB)
 * const dir = await fetchCifar("cifar10"); // the repository's data/cifar-10-batches-bin
 * ```
 */
export async function fetchCifar(name: CifarName, options: FetchCifarOptions = {}): Promise<string> {
  const spec = CIFAR_ARCHIVES[name];
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir ?? DATA_DIR;
  const url = options.url ?? spec.url;
  const md5 = (options.md5 ?? spec.md5).toLowerCase();
  const target = join(dataDir, spec.directory);
  if (existsSync(join(target, COMPLETE_MARKER))) {
    log(`[nc] ${target} is already in place`);
    return target;
  }
  if (existsSync(target)) {
    const missing = spec.files.filter((f) => !existsSync(join(target, f)));
    if (missing.length === 0) {
      log(`[nc] ${target} already holds ${spec.files.join(", ")} (unpacked elsewhere; not checked against the MD5)`);
      return target;
    }
    throw new DataError(
      `${target} exists but lacks ${missing.join(", ")}; remove it (or complete it) and run the command again`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const archive = join(dataDir, archiveName(url, name));
  if (existsSync(archive)) {
    const found = fileMd5(archive);
    if (found !== md5) {
      throw new DataError(`${archive}: MD5 is ${found}, expected ${md5}; remove the file and run the command again`);
    }
    log(`[nc] ${archive} is already downloaded`);
  } else {
    await downloadVerified(url, archive, { md5, log });
  }
  unpack(archive, dataDir, spec, md5);
  log(`[nc] unpacked ${archive} into ${target}`);
  return target;
}

/** The file name of the archive: the URL's last part when it is a plain name, else `<name>.tar.gz`. */
function archiveName(url: string, name: CifarName): string {
  const last = decodeURIComponent(url.split("?")[0].split("/").pop() ?? "");
  return /^[\w][\w.+-]*$/.test(last) ? last : `${name}.tar.gz`;
}

/**
 * The most bytes an archive may inflate to: 200 MiB. The CIFAR-10 and CIFAR-100 binary archives
 * inflate to about 185 MB each; a "zip bomb" (a small file inflating to gigabytes) is refused
 * before it fills memory or the disk.
 */
export const MAX_UNPACKED_BYTES = 200 * 2 ** 20;

function unpack(archive: string, dataDir: string, spec: (typeof CIFAR_ARCHIVES)[CifarName], md5: string): void {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(readFileSync(archive), { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new DataError(
        `${archive}: inflates to more than ${
          MAX_UNPACKED_BYTES / 2 ** 20
        } MiB, far beyond the ${spec.directory} archive (about 185 MB); refused`,
      );
    }
    throw new DataError(`${archive}: not a gzip archive (${(error as Error).message})`);
  }
  const entries = readTar(tar, { root: spec.directory, source: archive });
  const names = new Set(entries.filter((e) => e.type === "file").map((e) => e.path));
  const missing = spec.files.filter((f) => !names.has(`${spec.directory}/${f}`));
  if (missing.length > 0) throw new DataError(`${archive}: has no ${spec.directory}/${missing.join(", ")}`);
  const staging = mkdtempSync(join(dataDir, `.${spec.directory}.unpacking-`));
  try {
    writeTarEntries(entries, staging);
    writeTarEntries([{
      path: `${spec.directory}/${COMPLETE_MARKER}`,
      type: "file",
      data: new TextEncoder().encode(JSON.stringify({ archive, md5 }) + "\n"),
    }], staging);
    renameSync(join(staging, spec.directory), join(dataDir, spec.directory));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
