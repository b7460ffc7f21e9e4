/**
 * One lock per run directory, so that two processes (two sweeps on one run store, say) never train
 * the same run at once. The lock is a file created exclusively (`lock`, holding the owner's pid,
 * host and start time); a lock whose owner process no longer exists on this host is stale (a crash)
 * and is taken over.
 *
 * @module
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { TEMPORARY_SUFFIX } from "./atomic.ts";

/** The run is being trained by another live process. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
  } catch {
    return null;
  }
}

/** Whether the lock at `path` belongs to a process that no longer exists (or was never written). */
function stale(path: string): boolean {
  const owner = readOwner(path);
  if (owner === null) {
    // Created but not yet written: stale only once it is clearly abandoned.
    try {
      return Date.now() - statSync(path).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  return owner.host === hostname() && !alive(owner.pid);
}

/**
 * Takes the lock of a run directory; waits (polling) while a live process holds it, or throws
 * {@link RunLockedError} when `wait` is false. Stale locks are taken over, and temporary files a
 * crash left in the directory are removed. Returns the function that releases the lock.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * const release = await lockRun(dir, { wait: true });
 * try {
 *   // train the run
 * } finally {
 *   release();
 * }
 * ```
 */
export async function lockRun(
  dir: string,
  options: { wait?: boolean; log?: (line: string) => void; pollMs?: number } = {},
): Promise<() => void> {
  const path = join(dir, "lock");
  const { wait = true, pollMs = 500 } = options;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
    if (stale(path)) {
      const owner = readOwner(path);
      options.log?.(`[nc] recovered the stale lock of ${dir}${owner ? ` (process ${owner.pid} is gone)` : ""}`);
      rmSync(path, { force: true });
      continue;
    }
    if (!wait) throw new RunLockedError(`${dir} is being trained by process ${readOwner(path)?.pid ?? "?"}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  for (const file of readdirSync(dir)) {
    if (file.endsWith(TEMPORARY_SUFFIX)) rmSync(join(dir, file), { force: true });
  }
  return () => {
    if (existsSync(path) && readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/**
 * Removes the lock of a run directory when its owner is gone (a process killed between finishing a
 * run and releasing its lock leaves one beside a done run); a live owner's lock stays.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * clearStaleLock(dir); // false: there is no lock
 * ```
 */
export function clearStaleLock(dir: string): boolean {
  const path = join(dir, "lock");
  if (!existsSync(path) || !stale(path)) return false;
  rmSync(path, { force: true });
  return true;
}
