/**
 * `nc ufm`: solve one unconstrained-feature-model problem and compare with the theory.
 *
 * @module
 */
import { parseLossSpec } from "../core/losses.ts";
import { solveUfm, UFM_LIMITS } from "../core/ufm.ts";
import { formatPrecise } from "../report/number_format.ts";
import {
  type Command,
  integerFlag,
  LOSS_FLAGS,
  lossFromFlags,
  lossHelp,
  numberFlag,
  parseFlags,
  writeJson,
} from "./args.ts";

const HELP = `Usage: deno task nc ufm [options]

Solves the unconstrained feature model (docs/method.md §5) by L-BFGS from a random initialisation and
compares the optimum with the closed-form neural-collapse prediction. For MSE with --lambda-b > 0 the
prediction is only a candidate (theory.candidate: true in the JSON, and a note on stderr).

Options:
${lossHelp(23)}
  --K K                classes, 2 … 10000 (default 10)
  --n N                samples per class, 1 … 10⁶ (default 50)
  --d D                feature dimension, 1 … 10⁶ (default 64); K·n·(d + K) at most 2²⁷
  --lambda-w L         weight decay on W (default 5e-4)
  --lambda-h L         weight decay on H (default 5e-4)
  --lambda-b L         weight decay on b (default 0)
  --seed S             initialisation seed (default 0)
  --init-scale S       std of the initial entries of W and H (default 1)
  --max-iterations I   L-BFGS iteration cap, at most 10⁷ (default 20000)
  --json               print one JSON object
  -h, --help           this help`;

/** The `ufm` subcommand. */
export const ufmCommand: Command = {
  name: "ufm",
  summary: "solve the unconstrained feature model and compare with the theory",
  help: HELP,
  run(argv, io) {
    const flag = { type: "string" } as const;
    const { values } = parseFlags(argv, {
      ...LOSS_FLAGS,
      K: flag,
      n: flag,
      d: flag,
      "lambda-w": flag,
      "lambda-h": flag,
      "lambda-b": flag,
      seed: flag,
      "init-scale": flag,
      "max-iterations": flag,
      json: { type: "boolean" },
    }, "ufm");
    const loss = parseLossSpec(lossFromFlags(values));
    const name = loss.name;
    const result = solveUfm({
      loss,
      K: integerFlag(values, "K", { min: 2, max: UFM_LIMITS.K, fallback: 10 })!,
      n: integerFlag(values, "n", { min: 1, max: UFM_LIMITS.n, fallback: 50 })!,
      d: integerFlag(values, "d", { min: 1, max: UFM_LIMITS.d, fallback: 64 })!,
      lambdaW: numberFlag(values, "lambda-w", 5e-4),
      lambdaH: numberFlag(values, "lambda-h", 5e-4),
      lambdaB: numberFlag(values, "lambda-b", 0),
      seed: integerFlag(values, "seed", { min: -(2 ** 31), max: 2 ** 31 - 1, fallback: 0 })!,
      initScale: numberFlag(values, "init-scale", 1),
      maxIterations: integerFlag(values, "max-iterations", { min: 1, max: 10_000_000, fallback: 20000 })!,
    });
    const { metrics, theory } = result;
    io.stderr(
      `[nc] ufm ${name}: ${result.iterations} L-BFGS iterations in ${
        result.seconds.toFixed(2)
      } s (${result.stopReason})\n`,
    );
    if (theory.candidate) {
      io.stderr(
        `[nc] note: with λ_b > 0 the MSE prediction is a candidate (the NC configuration with bias M/(K(1 + Kλ_b/2))), not a proven optimum; a solver can find a lower objective (docs/method.md §5)\n`,
      );
    }
    const summary = {
      loss,
      K: result.config.K,
      n: result.config.n,
      d: result.config.d,
      lambdaW: result.config.lambdaW,
      lambdaH: result.config.lambdaH,
      lambdaB: result.config.lambdaB,
      seed: result.config.seed,
      objective: result.objective,
      wNormSq: result.wNormSq,
      hNormSq: result.hNormSq,
      biasMean: result.biasMean,
      ...metrics,
      iterations: result.iterations,
      evaluations: result.evaluations,
      gradNorm: result.gradNorm,
      stopReason: result.stopReason,
      seconds: result.seconds,
      theory,
    };
    if (values.json) {
      writeJson(io, summary);
    } else {
      const rows: [string, number, number | null][] = [
        ["objective", result.objective, theory.objective],
        ["mean ‖w_k‖²", result.wNormSq, theory.wNormSq],
        ["mean ‖h_i‖²", result.hNormSq, theory.hNormSq],
        ["NC1", metrics.nc1, 0],
        ["NC2", metrics.nc2, 0],
        ["NC3", metrics.nc3, 0],
        ["NC4", metrics.nc4, null],
      ];
      io.stdout(
        `${"".padEnd(14)} ${"optimised".padStart(12)} ${(theory.candidate ? "candidate" : "theory").padStart(12)}\n`,
      );
      for (const [label, value, predicted] of rows) {
        io.stdout(
          `${label.padEnd(14)} ${formatPrecise(value).padStart(12)} ${formatPrecise(predicted).padStart(12)}\n`,
        );
      }
    }
    return Promise.resolve(0);
  },
};
