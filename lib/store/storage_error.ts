/**
 * Storage errors in words: a full disk, a read-only store, a path through a file. The operating
 * system's error (`ENOSPC`, `EROFS`, …) becomes one {@link StorageError} naming the path and what
 * to do, which the command line prints as one line.
 *
 * @module
 */

/** A file or directory of the store that cannot be written or read (the cause in words). */
export class StorageError extends Error {
  override name = "StorageError";
}

/** The operating system's error codes that are about the storage, not the program, in words. */
const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "a file is in the way of a directory",
  EISDIR: "it is a directory, not a file",
  ENOENT: "no such file or directory",
  EIO: "input/output error",
};

/** The storage cause of `error` (from its `code`), or null when it is not a storage error. */
export function storageCause(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code in CAUSES ? `${CAUSES[code]} (${code})` : null;
}

/**
 * `error` as a {@link StorageError} naming `path` and what was being done, when it is a storage
 * error; otherwise `error` itself.
 *
 * @example
 * ```ts
 * const error = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
 * asStorageError(error, "runs/a/status.json", "write").message;
 * // "cannot write runs/a/status.json: no space left on the device (ENOSPC)"
 * ```
 */
export function asStorageError(error: unknown, path: string, action: string): unknown {
  if (error instanceof StorageError) return error;
  const cause = storageCause(error);
  return cause === null ? error : new StorageError(`cannot ${action} ${path}: ${cause}`, { cause: error });
}
