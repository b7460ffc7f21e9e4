/**
 * `nc metrics`: NC metrics of features, labels and a classifier read from a JSON file.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { matrix } from "../core/linalg.ts";
import { ncMetricsOf } from "../core/nc_metrics.ts";
import { CliError, type Command, formatNumber, parseFlags, writeJson } from "./args.ts";

const HELP = `Usage: deno task nc metrics --input FILE.json [--json] [--global-mean sample|classMeans]

Computes the neural-collapse metrics of last-layer features.

FILE.json holds { "features": N×d numbers, "labels": N integers in [0, K), "W": K×d numbers, "b": K numbers }.

Options:
  --input FILE        the JSON file (required)
  --json              print one JSON object with every metric (nc1, nc2, nc3, nc4, variants)
  --global-mean KIND  sample (default; the reference code) or classMeans
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

/** The `metrics` subcommand. */
export const metricsCommand: Command = {
  name: "metrics",
  summary: "NC metrics of features, labels and a classifier from a JSON file",
  help: HELP,
  run(argv, io) {
    const { values } = parseFlags(argv, {
      input: { type: "string" },
      json: { type: "boolean" },
      "global-mean": { type: "string" },
    }, "metrics");
    if (!values.input) throw new CliError("metrics: --input FILE.json is required (see --help)");
    const globalMean = values["global-mean"] ?? "sample";
    if (globalMean !== "sample" && globalMean !== "classMeans") {
      throw new CliError(`--global-mean must be sample or classMeans, got "${globalMean}"`);
    }
    const input = readMetricsInput(values.input);
    const K = input.W.length, d = input.W[0].length;
    const metrics = ncMetricsOf(input.features, input.labels, { W: matrix(K, d, input.W.flat()), b: input.b }, {
      globalMean,
    });
    io.stderr(`[nc] ${input.features.length} samples, K = ${K}, d = ${d}, global mean: ${globalMean}\n`);
    if (values.json) {
      writeJson(io, { ...metrics, N: input.features.length, K, d, globalMean });
    } else {
      for (const [key, value] of Object.entries(metrics)) io.stdout(`${key.padEnd(20)} ${formatNumber(value)}\n`);
    }
    return Promise.resolve(0);
  },
};
