/**
 * The CLI with a fault hook installed, for the fault-injection tests: when `NC_FAULT` names a
 * point and a count, e.g. `checkpoint-write:2`, the process kills itself with SIGKILL the 2nd time
 * it reaches that point, exactly as a crash or `kill -9` would. Points: `batch` (inside a training
 * epoch), `evaluate` (during an evaluation), `checkpoint-write` (after the temporary file is
 * written, before the rename). With a third part, `batch:30:throw`, the point throws an error
 * instead (an unexpected failure of the run in training then).
 */
import process from "node:process";
import { main } from "../../lib/cli.ts";
import { setFaultHook } from "../../lib/store/fault_hook.ts";

const spec = process.env.NC_FAULT?.split(":");
if (spec) {
  const [point, count, mode] = [spec[0], Number(spec[1] ?? 1), spec[2]];
  let seen = 0;
  setFaultHook((reached) => {
    if (reached !== point || ++seen !== count) return;
    if (mode === "throw") throw new Error(`injected fault at ${point} ${count}`);
    process.kill(process.pid, "SIGKILL");
  });
}
process.exit(await main(process.argv.slice(2)));
