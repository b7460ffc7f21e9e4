/**
 * Neural-collapse metrics of last-layer features, labels and a classifier saved by NumPy
 * (`np.save` files or one `np.savez` archive), streamed: the features are read in chunks, twice
 * (the two passes of `nc_accumulators.ts`), so memory stays O(dK + K²) plus one chunk, not N×d.
 * Out-of-distribution features for NC5 are read once, in chunks, for their mean.
 *
 * The layout of the files (which arrays, their shapes and dtypes) is checked here; what the
 * values mean (labels in [0, K), no empty class, a classifier that fits) is checked by the
 * accumulators, and every problem is a {@link DataError} naming the file (and `.npz` member).
 *
 * @module
 */
import { matrix } from "../core/linalg.ts";
import {
  ClassMeanAccumulator,
  FeatureMeanAccumulator,
  firstNonFinite,
  type GlobalMean,
  NcInputError,
  WithinClassAccumulator,
} from "../core/nc_accumulators.ts";
import { type NcMetrics, ncMetrics, type NcMetricsOptions } from "../core/nc_metrics.ts";
import { DataError } from "./dataset.ts";
import { type NpyArray, type NpyFile, openNpy } from "./npy.ts";

/**
 * The member names of the arrays in an `.npz` archive: by default `features` (N×d), `labels` (N
 * integers), `W` (K×d) and `b` (K, optional: zeros when the archive has no such member).
 */
export interface NpzKeys {
  readonly features?: string;
  readonly labels?: string;
  readonly weights?: string;
  /** A bias member named here must be present; the default `b` may be absent. */
  readonly bias?: string;
}

/**
 * Where the arrays are: one `.npz` archive (its members named by {@link NpzKeys}), or one `.npy`
 * file per array.
 */
export type NpyMetricsSource =
  | { readonly npz: string; readonly keys?: NpzKeys }
  | {
    /** N×d features: float16, float32 or float64, C or Fortran order. */
    readonly features: string;
    /** N labels in [0, K), integers of any width. */
    readonly labels: string;
    /** The classifier's K×d weights W. */
    readonly weights: string;
    /** The classifier's K biases b (default zeros). */
    readonly bias?: string;
  };

/** Options of {@link ncMetricsOfNpy}. */
export interface NpyMetricsOptions extends NcMetricsOptions {
  /** How μ_G is formed: `"sample"` (default; the reference code) or `"classMeans"`. */
  globalMean?: GlobalMean;
  /** Relative eigenvalue cut-off of the pseudo-inverses (default `DEFAULT_RANK_TOLERANCE`, 1e-10). */
  rankTolerance?: number;
  /** Feature rows read at a time (default ⌊2²² / d⌋, about 4 million values: 32 MiB as float64). */
  chunkRows?: number;
  /**
   * Out-of-distribution features for NC5: an N_OOD×d `.npy` file, or an `.npz` archive whose
   * `features` member (or only member) holds them; their mean is streamed ({@link featureMeanOfNpy}).
   * Without it (and without `oodMean`) `nc5` is null.
   */
  ood?: string;
}

/** Every NC metric, with the sizes of the data and the global mean used: what `nc metrics --json` prints. */
export interface NpyNcMetrics extends NcMetrics {
  /** Samples. */
  readonly N: number;
  /** Classes (rows of W). */
  readonly K: number;
  /** Feature dimension. */
  readonly d: number;
  /** How μ_G was formed. */
  readonly globalMean: GlobalMean;
  /** Out-of-distribution samples whose mean gave `nc5` (only with the `ood` option). */
  readonly oodN?: number;
}

/** The mean of the rows of a feature file, and how many rows it has. */
export interface NpyFeatureMean {
  readonly mean: Float64Array;
  /** Rows averaged. */
  readonly count: number;
}

/** Checks a chunk size option. */
function checkChunkRows(chunkRows: number | undefined): void {
  if (chunkRows !== undefined && !(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new RangeError(`chunkRows must be an integer ≥ 1, got ${chunkRows}`);
  }
}

/** Feature rows `[start, start + count)` of `features`, checked finite. */
function finiteRows(features: NpyArray, start: number, count: number, buffer: Float64Array): Float64Array {
  const rows = features.rows(start, count, buffer);
  const d = features.shape[1];
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i])) {
      throw new DataError(`${features.name}: features[${start + Math.floor(i / d)}][${i % d}] is not finite`);
    }
  }
  return rows;
}

/**
 * The mean of the feature rows in a NumPy file, streamed in chunks (memory: one chunk): an N×d
 * `.npy` array, or the `features` member (or only member) of an `.npz` archive. This is the
 * out-of-distribution mean μ_OOD of NC5 (`ncMetrics`' `oodMean`).
 *
 * @param path the `.npy` or `.npz` file.
 * @param options `dim`: the feature dimension the rows must have; `chunkRows`: rows read at a time.
 * @throws {DataError} naming the file when it is missing or damaged, when its array is not N×d with
 *   N ≥ 1 (and d = `dim` when given), or when a value is not finite.
 *
 * @example
 * ```ts ignore (needs a NumPy file)
 * const { mean, count } = featureMeanOfNpy("ood_features.npy", { dim: 512 });
 * ncMetricsOf(features, labels, classifier, { oodMean: mean }).nc5;
 * ```
 */
export function featureMeanOfNpy(path: string, options: { dim?: number; chunkRows?: number } = {}): NpyFeatureMean {
  checkChunkRows(options.chunkRows);
  const file = openNpy(path);
  try {
    const { arrays } = file;
    const features = arrays.get("features") ?? (arrays.size === 1 ? [...arrays.values()][0] : undefined);
    if (features === undefined) {
      throw new DataError(
        `${path}: no array named features, and more than one array (found ${[...arrays.keys()].join(", ")})`,
      );
    }
    const { dim } = options;
    if (features.shape.length !== 2 || features.shape[0] < 1 || (dim !== undefined && features.shape[1] !== dim)) {
      const expected = dim === undefined ? "N×d" : `N×${dim} (the features' dimension)`;
      throw new DataError(`${features.name}: features must be ${expected} with N ≥ 1, got shape (${features.shape})`);
    }
    const [N, d] = features.shape;
    const accumulator = naming(features, () => new FeatureMeanAccumulator(d));
    const chunk = options.chunkRows ?? Math.max(1, Math.floor(CHUNK_VALUES / d));
    const buffer = new Float64Array(Math.min(chunk, N) * d);
    for (let start = 0; start < N; start += chunk) {
      accumulator.accumulate(finiteRows(features, start, Math.min(chunk, N - start), buffer));
    }
    return { mean: accumulator.compute(), count: N };
  } finally {
    file.close();
  }
}

/** The values of `array` (`role`: a vector, or a matrix of `cols` columns), checked finite. */
function finite(array: NpyArray, role: string, values: Float64Array, cols = 1): Float64Array {
  const bad = firstNonFinite(values, cols);
  if (bad !== null) throw new DataError(`${array.name}: ${role}${bad} is not finite`);
  return values;
}

/** The arrays of one metrics input, opened. */
interface Arrays {
  readonly features: NpyArray;
  readonly labels: NpyArray;
  readonly W: NpyArray;
  readonly b?: NpyArray;
}

/** Values per chunk of features by default: about 4 million. */
const CHUNK_VALUES = 1 << 22;

/** The arrays of `source`, from files opened with `open`. */
function arraysOf(source: NpyMetricsSource, open: (path: string) => NpyFile): Arrays {
  if ("npz" in source) {
    const { arrays } = open(source.npz);
    const keys = { features: "features", labels: "labels", weights: "W", ...source.keys };
    const wanted = [keys.features, keys.labels, keys.weights, ...(source.keys?.bias ? [source.keys.bias] : [])];
    const missing = wanted.filter((key) => !arrays.has(key));
    if (missing.length) {
      throw new DataError(
        `${source.npz}: no array named ${missing.join(", ")} (found ${[...arrays.keys()].join(", ")})`,
      );
    }
    return {
      features: arrays.get(keys.features)!,
      labels: arrays.get(keys.labels)!,
      W: arrays.get(keys.weights)!,
      b: arrays.get(source.keys?.bias ?? "b"),
    };
  }
  const { features, labels, weights, bias } = source;
  if (features === undefined || labels === undefined || weights === undefined) {
    throw new DataError("NumPy metrics input needs an .npz archive, or features, labels and weights .npy files");
  }
  const only = (path: string) => [...open(path).arrays.values()][0];
  return {
    features: only(features),
    labels: only(labels),
    W: only(weights),
    b: bias === undefined ? undefined : only(bias),
  };
}

/**
 * Runs `step`; an {@link NcInputError} it throws becomes a {@link DataError} naming `array`'s file,
 * with `context` (for example the shape the problem comes from) after the message.
 */
function naming<T>(array: NpyArray, step: () => T, context?: string): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof NcInputError) {
      const message = `${array.name}: ${error.message}${context ? ` (${context})` : ""}`;
      throw new DataError(message, { cause: error });
    }
    throw error;
  }
}

/** Both passes over the opened arrays. */
function streamMetrics(arrays: Arrays, options: NpyMetricsOptions): NpyNcMetrics {
  const { features, labels, W, b } = arrays;
  const globalMean = options.globalMean ?? "sample";
  if (W.shape.length !== 2) {
    throw new DataError(`${W.name}: W must be K×d with K ≥ 2 classes, got shape (${W.shape})`);
  }
  const [K, d] = W.shape;
  if (features.shape.length !== 2 || features.shape[1] !== d) {
    throw new DataError(`${features.name}: features must be N×${d} (W is ${K}×${d}), got shape (${features.shape})`);
  }
  const N = features.shape[0];
  if (labels.shape.length !== 1 || labels.shape[0] !== N || !/^[<>|=][iu]/.test(labels.descr)) {
    throw new DataError(
      `${labels.name}: labels must be ${N} integers (one per feature row), got ${labels.descr} shape (${labels.shape})`,
    );
  }
  if (b && (b.shape.length !== 1 || b.shape[0] !== K)) {
    throw new DataError(`${b.name}: b must have ${K} entries (one per class), got shape (${b.shape})`);
  }
  const { chunkRows } = options;
  checkChunkRows(chunkRows);

  // K ≥ 2 classes and d ≥ 1: checked by the accumulator.
  const pass1 = naming(W, () => new ClassMeanAccumulator(K, d), `W is ${K}×${d}: classes × feature dimension`);
  const chunk = chunkRows ?? Math.max(1, Math.floor(CHUNK_VALUES / d));
  const rowBuffer = new Float64Array(Math.min(chunk, N) * d), labelBuffer = new Float64Array(Math.min(chunk, N));
  function* batches() { // one chunk of buffers, reused by both passes
    for (let start = 0; start < N; start += chunk) {
      const count = Math.min(chunk, N - start);
      yield { features: finiteRows(features, start, count, rowBuffer), labels: labels.rows(start, count, labelBuffer) };
    }
  }
  // Labels in [0, K) and no empty class: checked by the accumulators.
  const means = naming(labels, () => {
    for (const batch of batches()) pass1.accumulate(batch.features, batch.labels);
    return pass1.compute();
  });
  const classifier = {
    W: matrix(K, d, finite(W, "W", W.rows(0, K), d)),
    b: b ? finite(b, "b", b.rows(0, K)) : new Float64Array(K),
  };
  // Features too large for float64 statistics: refused by the accumulator, naming the features.
  const pass2 = naming(features, () => new WithinClassAccumulator(means, { globalMean, classifier }));
  naming(labels, () => {
    for (const batch of batches()) pass2.accumulate(batch.features, batch.labels);
  });
  const stats = naming(features, () => pass2.compute());
  if (options.ood === undefined) return { ...ncMetrics(stats, classifier, options), N, K, d, globalMean };
  if (options.oodMean !== undefined) throw new RangeError("give the OOD features as ood (a file) or oodMean, not both");
  const ood = featureMeanOfNpy(options.ood, { dim: d, chunkRows });
  return { ...ncMetrics(stats, classifier, { ...options, oodMean: ood.mean }), N, K, d, globalMean, oodN: ood.count };
}

/**
 * Computes the NC metrics of features, labels and a classifier in NumPy files, streaming the
 * features in chunks (two passes), so a file larger than memory can be measured.
 *
 * @param source the `.npz` archive, or the `.npy` files, holding the arrays.
 * @param options the global mean (default `"sample"`), the pseudo-inverses' rank tolerance, the
 *   chunk size (default about 4 million values) and out-of-distribution features for NC5 (`ood`, a
 *   file, or `oodMean`).
 * @returns every metric of {@link NcMetrics}, with N, K, d and the global mean used.
 * @throws {DataError} naming the file (and `.npz` member) when a file is missing, damaged or
 *   does not fit the others: wrong shapes, labels outside [0, K), an empty class, non-finite features
 *   (the OOD features included).
 *
 * @example
 * ```ts ignore (needs NumPy files)
 * const m = ncMetricsOfNpy({ features: "features.npy", labels: "labels.npy", weights: "W.npy", bias: "b.npy" });
 * m.nc1; m.N;
 * const archive = ncMetricsOfNpy({ npz: "last_layer.npz" }, { globalMean: "classMeans", ood: "svhn_features.npy" });
 * archive.nc5;
 * ncMetricsOfNpy({ npz: "dump.npz", keys: { features: "h", labels: "y", weights: "fc_w", bias: "fc_b" } });
 * ```
 */
export function ncMetricsOfNpy(source: NpyMetricsSource, options: NpyMetricsOptions = {}): NpyNcMetrics {
  const opened: NpyFile[] = [];
  try {
    const arrays = arraysOf(source, (path) => {
      const file = openNpy(path);
      opened.push(file);
      return file;
    });
    return streamMetrics(arrays, options);
  } finally {
    for (const file of opened) file.close();
  }
}
