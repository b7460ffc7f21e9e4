/**
 * `nc metrics`: NC metrics of features, labels and a classifier read from a JSON file or NumPy
 * files, with NC5 when out-of-distribution features are given (`--ood`).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { matrix } from "../core/linalg.ts";
import type { GlobalMean } from "../core/nc_accumulators.ts";
import { type NcMetrics, ncMetricsOf } from "../core/nc_metrics.ts";
import { featureMeanOfNpy, ncMetricsOfNpy, type NpyMetricsSource } from "../data/npy_metrics.ts";
import { CliError, type CliIo, type Command, parseFlags, writeJson } from "./args.ts";
import { formatPrecise } from "../report/number_format.ts";
import { userPath } from "./paths.ts";

const HELP = `Usage: deno task nc metrics (--input FILE.json | --npz FILE.npz | --features F.npy --labels L.npy
                        --weights W.npy [--bias B.npy]) [--json] [--global-mean sample|classMeans]
                        [--ood OOD.npy|OOD.npz]

Computes the neural-collapse metrics of last-layer features.

FILE.json holds { "features": N×d numbers, "labels": N integers in [0, K), "W": K×d numbers, "b": K numbers }.

NumPy input (np.save / np.savez): features N×d (float16, float32 or float64, C or Fortran order),
labels N integers of any width, W K×d, b K (default zeros); in an .npz the arrays are named features,
labels, W and b unless --features-key, --labels-key, --weights-key or --bias-key name other members.
Features are streamed in chunks (two passes), so memory stays near the accumulators' size, not N×d;
members of np.savez_compressed archives are inflated in memory.

With --ood, the features of an out-of-distribution set (N_OOD×d, float16, float32 or float64; in an
.npz the member named features, or its only member) give NC5, the mean |cos| between the class means and the
mean of those features (docs/method.md §4); without it nc5 is null.

Options:
  --input FILE        the JSON file
  --npz FILE          a NumPy archive with features, labels, W (and b)
  --features-key K    --labels-key K   --weights-key K   --bias-key K
                      member names in --npz FILE (defaults features, labels, W, b)
  --features F        --labels L   --weights W   --bias B      NumPy .npy files
  --json              print one JSON object with every metric (nc1, nc2, nc3, nc4, variants)
  --global-mean KIND  sample (default; the reference code) or classMeans
  --ood FILE          out-of-distribution features (.npy, or .npz) for nc5
  -h, --help          this help`;

/** A parsed metrics input file. */
interface MetricsInput {
  features: number[][];
  labels: number[];
  W: number[][];
  b: number[];
}

function numberMatrix(value: unknown, key: string, file: string, cols?: number): number[][] {
  if (!Array.isArray(value)) throw new CliError(`${file}: "${key}" must be an array of rows`);
  const width = cols ?? (Array.isArray(value[0]) ? value[0].length : 0);
  value.forEach((row, i) => {
    if (!Array.isArray(row)) throw new CliError(`${file}: "${key}" row ${i} is not an array`);
    if (row.length !== width) {
      throw new CliError(
        `${file}: "${key}" row ${i} has ${row.length} entries, expected ${width}${
          cols === undefined ? " (ragged rows)" : ""
        }`,
      );
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new CliError(`${file}: "${key}"[${i}][${j}] is not a finite number`);
      }
    });
  });
  return value as number[][];
}

/** Reads and validates a metrics input file; every problem is a {@link CliError} naming the key. */
function readMetricsInput(file: string): MetricsInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`${file}: expected a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  for (const key of ["features", "labels", "W", "b"]) {
    if (!(key in record)) throw new CliError(`${file}: missing key "${key}"`);
  }
  for (const key of Object.keys(record)) {
    if (!["features", "labels", "W", "b"].includes(key)) {
      throw new CliError(`${file}: unknown key "${key}" (expected features, labels, W, b)`);
    }
  }
  const W = numberMatrix(record.W, "W", file);
  const K = W.length, d = W[0]?.length ?? 0;
  if (K < 2 || d < 1) throw new CliError(`${file}: "W" must be K×d with K ≥ 2 classes and d ≥ 1, got ${K}×${d}`);
  const features = numberMatrix(record.features, "features", file);
  if (features.length === 0) throw new CliError(`${file}: "features" is empty`);
  if (features[0].length !== d) {
    throw new CliError(
      `${file}: "features" rows have ${
        features[0].length
      } entries but "W" is ${K}×${d}: the feature dimension must match`,
    );
  }
  const labels = record.labels;
  if (!Array.isArray(labels) || labels.length !== features.length) {
    throw new CliError(`${file}: "labels" must be an array of ${features.length} integers (one per feature row)`);
  }
  labels.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= K) {
      throw new CliError(`${file}: "labels"[${i}] = ${JSON.stringify(y)} is not an integer in [0, ${K})`);
    }
  });
  const b = record.b;
  if (!Array.isArray(b) || b.length !== K || !b.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new CliError(`${file}: "b" must be an array of ${K} finite numbers (one per class)`);
  }
  const counts = new Array(K).fill(0);
  for (const y of labels) counts[y]++;
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) {
    throw new CliError(
      `${file}: class ${empty} has no samples in "labels"; every class in [0, ${K}) needs at least one`,
    );
  }
  return { features, labels, W, b };
}

/**
 * Prints the metrics: one line each, or with `json` one object with the sizes, the global mean and
 * the number of out-of-distribution samples (when given) too.
 */
function report(
  io: CliIo,
  result: NcMetrics & { N: number; K: number; d: number; globalMean: GlobalMean; oodN?: number },
  json = false,
) {
  const { N, K, d, globalMean, oodN, ...metrics } = result;
  const ood = oodN === undefined ? "" : `, ${oodN} out-of-distribution samples`;
  io.stderr(`[nc] ${N} samples, K = ${K}, d = ${d}, global mean: ${globalMean}${ood}\n`);
  if (json) writeJson(io, result);
  else for (const [key, value] of Object.entries(metrics)) io.stdout(`${key.padEnd(20)} ${formatPrecise(value)}\n`);
}

/** The arrays whose `.npz` member names `--KEY-key` sets. */
const NPZ_KEYS = ["features", "labels", "weights", "bias"] as const;

/** The NumPy input the flags name. */
function npySource(values: Record<string, string | boolean | undefined>): NpyMetricsSource {
  if (values.npz) {
    const keys = Object.fromEntries(
      NPZ_KEYS.filter((k) => values[`${k}-key`] !== undefined).map((k) => [k, values[`${k}-key`] as string]),
    );
    return { npz: userPath(values.npz as string), keys };
  }
  const stray = NPZ_KEYS.filter((k) => values[`${k}-key`] !== undefined);
  if (stray.length) throw new CliError(`metrics: --${stray[0]}-key names a member of --npz FILE; give --npz too`);
  const missing = ["features", "labels", "weights"].filter((f) => values[f] === undefined);
  if (missing.length) throw new CliError(`metrics: NumPy input needs ${missing.map((f) => `--${f}`).join(", ")}`);
  return {
    features: userPath(values.features as string),
    labels: userPath(values.labels as string),
    weights: userPath(values.weights as string),
    bias: userPath(values.bias as string | undefined),
  };
}

/** The `metrics` subcommand. */
export const metricsCommand: Command = {
  name: "metrics",
  summary: "NC metrics of features, labels and a classifier from JSON or NumPy files",
  help: HELP,
  run(argv, io) {
    const flag = { type: "string" } as const;
    const { values } = parseFlags(argv, {
      input: flag,
      npz: flag,
      features: flag,
      labels: flag,
      weights: flag,
      bias: flag,
      json: { type: "boolean" },
      "global-mean": flag,
      ood: flag,
      "features-key": flag,
      "labels-key": flag,
      "weights-key": flag,
      "bias-key": flag,
    }, "metrics");
    const globalMean = values["global-mean"] ?? "sample";
    if (globalMean !== "sample" && globalMean !== "classMeans") {
      throw new CliError(`--global-mean must be sample or classMeans, got "${globalMean}"`);
    }
    const npyFlags = ["features", "labels", "weights", "bias"].filter((f) => values[f as "features"] !== undefined);
    const sources = [values.input, values.npz, npyFlags.length ? "npy" : undefined].filter((v) => v !== undefined);
    if (sources.length !== 1) {
      throw new CliError(
        "metrics: give one input: --input FILE.json, --npz FILE.npz, or --features/--labels/--weights .npy files (see --help)",
      );
    }
    if (!values.input) {
      report(io, ncMetricsOfNpy(npySource(values), { globalMean, ood: userPath(values.ood) }), values.json);
      return Promise.resolve(0);
    }
    const input = readMetricsInput(userPath(values.input));
    const K = input.W.length, d = input.W[0].length;
    const ood = values.ood === undefined ? undefined : featureMeanOfNpy(userPath(values.ood), { dim: d });
    const metrics = ncMetricsOf(input.features, input.labels, { W: matrix(K, d, input.W.flat()), b: input.b }, {
      globalMean,
      oodMean: ood?.mean,
    });
    const sizes = { N: input.features.length, K, d, globalMean: globalMean as GlobalMean };
    report(io, { ...metrics, ...sizes, ...(ood ? { oodN: ood.count } : {}) }, values.json);
    return Promise.resolve(0);
  },
};
