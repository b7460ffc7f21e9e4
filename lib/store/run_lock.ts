/**
 * One lock per run directory, so that two processes (two sweeps on one run store, two Slurm tasks
 * on two nodes) never train the same run at once.
 *
 * - The lock is the file `lock`, holding its owner's pid, host, start time and a token unique to
 *   this taking of the lock. It is written whole under a temporary name and then linked to `lock`
 *   (`link` fails when `lock` exists), so it is never seen half-written and exactly one process
 *   creates it.
 * - A lease: the owner refreshes the lock's modification time (its heartbeat) every 30 s (at most a
 *   third of the lease); a lock whose heartbeat is older than the lease (5 minutes by default) is
 *   stale on any host, and so is one whose owner process no longer exists on this host (a crash).
 * - Taking over a stale lock happens under a takeover marker created exclusively (`lock.takeover`):
 *   its holder checks that the lock is still the stale one it judged before removing it, and then
 *   competes for the lock like everyone else. Two processes taking over together: one wins.
 *
 * @module
 */
import {
  closeSync,
  existsSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { clearInterval, setInterval } from "node:timers";
import { TEMPORARY_SUFFIX, writeFileAtomic } from "./atomic.ts";

/** The run is being trained by another live process. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/** The lease of a lock by default: a lock without a heartbeat for this long is stale (5 minutes). */
export const DEFAULT_LOCK_LEASE_MS = 300_000;

/** How often the owner of a lock refreshes its heartbeat (at most a third of the lease). */
export const LOCK_HEARTBEAT_MS = 30_000;

/** A lock without content (an older version's, caught between creation and write) is stale after this. */
const UNWRITTEN_MS = 10_000;

/** Who holds a run's lock: as written in the lock file, with its last heartbeat. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Unique to one taking of the lock (absent in locks written by older versions). */
  token?: string;
  /** The lock file's modification time, which the owner refreshes. */
  heartbeatAt: Date;
}

/** Options of {@link lockRun}. */
export interface LockOptions {
  /** Wait while a live process holds the lock (default true); false throws {@link RunLockedError}. */
  wait?: boolean;
  /** Log lines: stale locks taken over, and while waiting, who holds the lock (every `reportMs`). */
  log?: (line: string) => void;
  /** How often to look at a held lock while waiting (default 500 ms). */
  pollMs?: number;
  /** A lock without a heartbeat for this long is stale (default {@link DEFAULT_LOCK_LEASE_MS}). */
  leaseMs?: number;
  /** How often a waiting process says who holds the lock (default 30 s). */
  reportMs?: number;
  /** Ends a wait, once aborted, with a {@link RunLockedError}. */
  signal?: AbortSignal;
}

const lockPath = (dir: string) => join(dir, "lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** The lock file's text and modification time, or null when there is none. */
function readRaw(path: string): { text: string; mtimeMs: number } | null {
  try {
    return { text: readFileSync(path, "utf8"), mtimeMs: statSync(path).mtimeMs };
  } catch {
    return null;
  }
}

function parseHolder(raw: { text: string; mtimeMs: number }): LockHolder | null {
  try {
    const { pid, host, startedAt, token } = JSON.parse(raw.text);
    if (typeof pid !== "number" || typeof host !== "string") return null;
    return { pid, host, startedAt: String(startedAt), token, heartbeatAt: new Date(raw.mtimeMs) };
  } catch {
    return null;
  }
}

/**
 * Who holds the lock of a run directory, or null when it is not locked (or the lock is unreadable).
 *
 * @example
 * ```ts
 * readLock(Deno.makeTempDirSync()); // null
 * ```
 */
export function readLock(dir: string): LockHolder | null {
  const raw = readRaw(lockPath(dir));
  return raw && parseHolder(raw);
}

/**
 * Who holds a run's lock while it is live (a process of this host that is alive, or one whose
 * heartbeat is younger than the lease), or null when there is no lock or it is stale; reads only.
 *
 * @example
 * ```ts
 * liveLock(Deno.makeTempDirSync()); // null
 * ```
 */
export function liveLock(dir: string, options: { leaseMs?: number } = {}): LockHolder | null {
  const raw = readRaw(lockPath(dir));
  if (raw === null || staleReason(raw, options.leaseMs ?? DEFAULT_LOCK_LEASE_MS) !== null) return null;
  return parseHolder(raw);
}

/** Why a lock, as read, is stale (its owner is gone), or null while it is live. */
function staleReason(raw: { text: string; mtimeMs: number }, leaseMs: number): string | null {
  const holder = parseHolder(raw);
  const age = Date.now() - raw.mtimeMs;
  if (holder === null) return age > UNWRITTEN_MS ? "the lock file is unreadable" : null;
  if (holder.host === hostname() && !alive(holder.pid)) return `process ${holder.pid} is gone`;
  if (age > leaseMs) {
    return `no heartbeat from process ${holder.pid} on ${holder.host} for ${Math.round(age / 1000)} s (lease ${
      Math.round(leaseMs / 1000)
    } s)`;
  }
  return null;
}

/**
 * Removes the lock at `path` if it is still exactly `observed`, under the takeover marker, so that a
 * lock another process has just written in its place is never removed. False when another process
 * holds the marker (it is taking the lock over) or the lock changed.
 */
function removeIf(path: string, observed: { text: string; mtimeMs: number }, still: () => boolean): boolean {
  const marker = `${path}.takeover`;
  try {
    closeSync(openSync(marker, "wx"));
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
    // A marker is held for microseconds; an old one was left by a process killed while holding it.
    const raw = readRaw(marker);
    if (raw && Date.now() - raw.mtimeMs > UNWRITTEN_MS) rmSync(marker, { force: true });
    return false;
  }
  try {
    const now = readRaw(path);
    if (now === null || now.text !== observed.text || !still()) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(marker, { force: true });
  }
}

/** Creates the lock whole (written under a temporary name, then linked); false when a lock exists. */
function create(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomUUID()}${TEMPORARY_SUFFIX}`;
  try {
    writeFileAtomic(tmp, text);
    linkSync(tmp, path);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // ENOENT: another process swept temporary files away between the write and the link: try again.
    if (code === "EEXIST" || code === "ENOENT") return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** "process 12 on node7 since 2024-… (last heartbeat 4 s ago)". */
export function describeHolder(holder: LockHolder): string {
  const ago = Math.max(0, Math.round((Date.now() - holder.heartbeatAt.getTime()) / 1000));
  return `process ${holder.pid} on ${holder.host} since ${holder.startedAt} (last heartbeat ${ago} s ago)`;
}

/**
 * Takes the lock of a run directory; waits (polling, and saying who holds it every 30 s) while a
 * live process holds it, or throws {@link RunLockedError} when `wait` is false. Stale locks are taken
 * over, and temporary files a crash left in the directory are removed. While held, the lock's
 * heartbeat is refreshed. Returns the function that releases the lock.
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
export async function lockRun(dir: string, options: LockOptions = {}): Promise<() => void> {
  const path = lockPath(dir);
  const { wait = true, pollMs = 500, leaseMs = DEFAULT_LOCK_LEASE_MS, reportMs = 30_000 } = options;
  const token = randomUUID();
  const text = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token });
  let reported = -Infinity;
  while (!create(path, text)) {
    const raw = readRaw(path);
    if (raw === null) continue;
    const reason = staleReason(raw, leaseMs);
    if (reason !== null) {
      if (removeIf(path, raw, () => staleReason(raw, leaseMs) !== null)) {
        options.log?.(`[nc] took over the stale lock of ${dir}: ${reason}`);
      }
      continue;
    }
    const holder = parseHolder(raw);
    const who = holder ? describeHolder(holder) : "a process that is writing it";
    if (!wait) throw new RunLockedError(`${dir} is being trained by ${who}`);
    if (options.signal?.aborted) throw new RunLockedError(`stopped while waiting for ${dir}, locked by ${who}`);
    if (Date.now() - reported >= reportMs) {
      reported = Date.now();
      options.log?.(
        `[nc] waiting for ${dir}: locked by ${who}; it is taken over after ${Math.round(leaseMs / 1000)} s without a ` +
          `heartbeat, or remove it with: nc runs unlock ${dir}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  // Leftovers of a writer that died mid-write go (a checkpoint's, a status's); another contender's lock
  // being written now does not: only once it is old enough to be a dead one's.
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(TEMPORARY_SUFFIX)) continue;
    const at = join(dir, file);
    if (file.startsWith("lock.") && Date.now() - (statSync(at, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 60_000) {
      continue;
    }
    rmSync(at, { force: true });
  }
  const ours = () => readRaw(path)?.text === text;
  const heartbeat = setInterval(() => {
    try {
      if (ours()) {
        const now = new Date();
        utimesSync(path, now, now);
      }
    } catch {
      // A store that cannot be written to now: the next beat tries again.
    }
  }, Math.max(10, Math.min(LOCK_HEARTBEAT_MS, leaseMs / 3)));
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    if (ours()) rmSync(path, { force: true });
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
export function clearStaleLock(dir: string, options: { leaseMs?: number } = {}): boolean {
  const path = lockPath(dir);
  const raw = readRaw(path);
  const leaseMs = options.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
  return raw !== null && staleReason(raw, leaseMs) !== null &&
    removeIf(path, raw, () => staleReason(raw, leaseMs) !== null);
}

/**
 * Removes the lock of a run directory by hand (`nc runs unlock`) and returns who held it (null when there
 * was no lock). A lock held by a live process of this host stays unless `force`: a
 * {@link RunLockedError} names it.
 *
 * @example
 * ```ts
 * removeLock(Deno.makeTempDirSync()); // null: there was no lock
 * ```
 */
export function removeLock(dir: string, options: { force?: boolean } = {}): LockHolder | null {
  const path = lockPath(dir);
  if (!existsSync(path)) return null;
  const raw = readRaw(path);
  const holder = raw && parseHolder(raw);
  if (holder && !options.force && holder.host === hostname() && alive(holder.pid) && holder.pid !== process.pid) {
    throw new RunLockedError(
      `${dir} is locked by ${
        describeHolder(holder)
      }, which is running on this host: stop it first (kill ${holder.pid}), or pass --force`,
    );
  }
  rmSync(path, { force: true });
  return holder ?? { pid: 0, host: "?", startedAt: "?", heartbeatAt: new Date(raw?.mtimeMs ?? 0) };
}
