/**
 * Atomic file writes: write a temporary file in the same directory, then rename it over the
 * target. A crash leaves either the old or the new file, never a half-written one.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import process from "node:process";
import { type FaultPoint, faultPoint } from "./fault_hook.ts";
import { asStorageError } from "./storage_error.ts";

let counter = 0;

/** Suffix of the temporary files; a crash can leave one behind, never a half-written target. */
export const TEMPORARY_SUFFIX = ".tmp";

/**
 * Writes `data` to `path` atomically (flushed to disk before the rename). `fault` names the fault
 * point between the write and the rename (see `fault_hook.ts`). When the write fails (a full disk,
 * a read-only store) the temporary file is removed, `path` keeps its old contents, and the error is
 * a `StorageError` naming `path` and the cause.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomic(`${dir}/status.json`, JSON.stringify({ state: "done" }));
 * Deno.readTextFileSync(`${dir}/status.json`); // "{\"state\":\"done\"}"
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, fault?: FaultPoint): void {
  const tmp = `${path}.${process.pid}.${++counter}${TEMPORARY_SUFFIX}`;
  let fd: number;
  try {
    fd = openSync(tmp, "w");
  } catch (error) {
    throw asStorageError(error, path, "write");
  }
  try {
    try {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      faultPoint("write", path);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (fault) faultPoint(fault);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw asStorageError(error, path, "write");
  }
}
