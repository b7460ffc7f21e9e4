/**
 * Stopping training cleanly on SIGTERM (what Slurm sends at a time limit) and SIGINT (Ctrl-C): the
 * handlers abort an `AbortSignal` that runs, packs and sweeps take (`signal` option); a run then
 * stops at its next batch, keeping the checkpoint of its last finished epoch, releases its lock,
 * and the process exits 143 (SIGTERM) or 130 (SIGINT). A second SIGINT exits at once.
 *
 * A sweep's worker process also stops when its parent is gone ({@link watchParent}): killed even with
 * SIGKILL, a sweep leaves no worker training on.
 *
 * @module
 */
import process from "node:process";
import { clearInterval, setImmediate, setInterval } from "node:timers";

/** The exit status of a process stopped by a signal: 128 + its number. */
export const SIGNAL_EXIT_CODES = { SIGTERM: 143, SIGINT: 130 } as const;

/** A signal that stops training. */
export type StopSignalName = keyof typeof SIGNAL_EXIT_CODES;

/** What {@link handleStopSignals} installs. */
export interface StopHandling {
  /** Aborted at the first SIGTERM or SIGINT (its reason is the signal's name). */
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  readonly received: () => StopSignalName | null;
  /** Removes the handlers. */
  readonly dispose: () => void;
}

/**
 * Installs handlers of SIGTERM and SIGINT that abort the returned signal (logging one line), instead
 * of ending the process at once.
 *
 * @example
 * ```ts ignore (installs process-wide handlers)
 * const stop = handleStopSignals({ log: console.error });
 * const run = await runTraining(config, { signal: stop.signal });
 * if (stop.received()) Deno.exit(SIGNAL_EXIT_CODES[stop.received()!]);
 * ```
 */
export function handleStopSignals(
  options: { log?: (line: string) => void; exitOnSecondInterrupt?: boolean } = {},
): StopHandling {
  const controller = new AbortController();
  let received: StopSignalName | null = null;
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as StopSignalName[]).map((name) => {
    const handler = () => {
      if (received !== null) {
        if (name === "SIGINT" && options.exitOnSecondInterrupt !== false) process.exit(SIGNAL_EXIT_CODES.SIGINT);
        return;
      }
      received = name;
      options.log?.(
        `[nc] ${name}: stopping at the next batch; the last finished epoch's checkpoint is kept and the lock released`,
      );
      controller.abort(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => handlers.forEach(([name, handler]) => process.off(name, handler)),
  };
}

/**
 * Calls `onGone` once when this process's parent is gone (it is then re-parented), checking every
 * `everyMs` (default 1 s). Returns the function that stops watching.
 *
 * @example
 * ```ts ignore (watches the process's parent)
 * const stopWatching = watchParent(() => controller.abort("SIGTERM"));
 * ```
 */
export function watchParent(onGone: () => void, everyMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

let lastTurn = 0;

/**
 * Gives the event loop a turn (signals, timers such as a lock's heartbeat) when `everyMs` passed
 * since the last: a training loop whose awaits all resolve at once would otherwise hold it for the
 * whole run. Called at batch boundaries; it changes no result.
 *
 * @example
 * ```ts
 * await letEventsIn();
 * ```
 */
export async function letEventsIn(everyMs = 50): Promise<void> {
  const now = performance.now();
  if (now - lastTurn < everyMs) return;
  lastTurn = now;
  await new Promise((resolve) => setImmediate(resolve));
}
