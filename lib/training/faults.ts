/**
 * Fault injection for the reliability tests: when `NC_FAULT` names a point and a count, e.g.
 * `checkpoint-write:2`, the process kills itself with SIGKILL the 2nd time it reaches that point,
 * exactly as a crash or `kill -9` would. Points: `batch` (inside a training epoch), `evaluate`
 * (during an evaluation), `checkpoint-write` (after the temporary file is written, before the rename).
 * Unset, a fault point costs one comparison.
 *
 * @module
 */
import process from "node:process";

/** The fault points. */
export type FaultPoint = "batch" | "evaluate" | "checkpoint-write";

const spec = process.env.NC_FAULT?.split(":") ?? null;
const target = spec ? { point: spec[0], count: Number(spec[1] ?? 1) } : null;
let seen = 0;

/** Marks a fault point; kills the process here when `NC_FAULT` says so. */
export function faultPoint(point: FaultPoint): void {
  if (target === null || target.point !== point) return;
  if (++seen === target.count) process.kill(process.pid, "SIGKILL");
}
