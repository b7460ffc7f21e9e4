/**
 * A process contending for run locks, for the lock tests: `lock_contender.ts ROUNDS_DIR ROUNDS START_MS STEP_MS [HOLD_MS]`
 * tries, in round r, to take the lock of `ROUNDS_DIR/r` (without waiting) at the instant
 * START_MS + r × STEP_MS (spinning for the last milliseconds, so that the contenders start together),
 * keeps every lock it wins until the end (HOLD_MS after its last round, default 0: so that a
 * contender that started late never finds the locks of one that is already gone), and prints the
 * rounds it won as one JSON line.
 */
import { join } from "node:path";
import process from "node:process";
import { lockRun } from "../../lib/store/run_lock.ts";

const [dir, rounds, start, step, hold = 0] = [process.argv[2], ...process.argv.slice(3).map(Number)];
const won: number[] = [];
for (let r = 0; r < rounds; r++) {
  const at = start + r * step;
  const wait = at - Date.now() - 3;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  while (Date.now() < at) { /* spin */ }
  try {
    await lockRun(join(dir, String(r)), { wait: false });
    won.push(r);
  } catch (error) {
    if ((error as Error).name !== "RunLockedError") throw error;
  }
}
if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
process.stdout.write(JSON.stringify(won) + "\n");
