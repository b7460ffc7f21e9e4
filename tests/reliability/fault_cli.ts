/**
 * The CLI with a fault hook installed, for the fault-injection tests: when `NC_FAULT` names a
 * point and a count, e.g. `checkpoint-write:2`, the process kills itself with SIGKILL the 2nd time
 * it reaches that point, exactly as a crash or `kill -9` would. Points: `batch` (inside a training
 * epoch), `evaluate` (during an evaluation), `checkpoint-write` (after the temporary file is
 * written, before the rename), `write` (every atomic write; `write@status.json` only the writes of
 * files of that name). With a third part, `batch:30:throw`, the point throws an error instead (an
 * unexpected failure of the run in training then); an error code as the third part,
 * `write@checkpoint.bin:1:ENOSPC`, throws the operating system's error of that code (ENOSPC, EROFS,
 * EIO, …), as a full disk or a read-only store would.
 */
import { basename } from "node:path";
import process from "node:process";
import { main } from "../../lib/cli.ts";
import { setFaultHook } from "../../lib/store/fault_hook.ts";

const spec = process.env.NC_FAULT?.split(":");
if (spec) {
  const [where, count, mode] = [spec[0], Number(spec[1] ?? 1), spec[2]];
  const [point, file] = where.split("@");
  let seen = 0;
  setFaultHook((reached, path) => {
    if (reached !== point || (file !== undefined && basename(path ?? "") !== file) || ++seen !== count) return;
    if (mode === "throw") throw new Error(`injected fault at ${point} ${count}`);
    if (mode !== undefined && /^E[A-Z]+$/.test(mode)) {
      throw Object.assign(new Error(`${mode}: injected at ${path ?? point}`), { code: mode });
    }
    process.kill(process.pid, "SIGKILL");
  });
}
process.exit(await main(process.argv.slice(2)));
