/**
 * A process-wide hook at the points where a crash would hurt most, for the reliability tests: the
 * tests install a hook (for example one that kills the process with SIGKILL the n-th time a point
 * is reached) and the library calls {@link faultPoint} at each such point. No hook is installed by
 * the library itself; without one, a fault point costs one comparison.
 *
 * Points: `batch` (inside a training epoch), `evaluate` (during an evaluation),
 * `checkpoint-write` (after a checkpoint's temporary file is written, before the rename) and `write`
 * (every atomic write of a file, after its temporary file is written and before it is flushed; the
 * hook gets the target's path, so a test can fail one file's write as a full disk would).
 *
 * @module
 */

/** The fault points. */
export type FaultPoint = "batch" | "evaluate" | "checkpoint-write" | "write";

/** Called at every fault point while installed, with the file being written at `write`. */
export type FaultHook = (point: FaultPoint, path?: string) => void;

let hook: FaultHook | null = null;

/**
 * Installs `next` (null removes the hook) and returns the hook it replaces.
 *
 * @example
 * ```ts
 * const reached: string[] = [];
 * const previous = setFaultHook((point) => reached.push(point));
 * faultPoint("batch");
 * setFaultHook(previous);
 * reached; // ["batch"]
 * ```
 */
export function setFaultHook(next: FaultHook | null): FaultHook | null {
  const previous = hook;
  hook = next;
  return previous;
}

/** Marks a fault point (with the file being written, at `write`): calls the installed hook, if any. */
export function faultPoint(point: FaultPoint, path?: string): void {
  if (hook !== null) hook(point, path);
}
