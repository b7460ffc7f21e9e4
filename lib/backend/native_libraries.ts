/**
 * The native arithmetic libraries of the `native` backend, opened through Deno FFI:
 *
 * - OpenBLAS (`libopenblas.so.0`, Debian `libopenblas0-pthread`): `cblas_sgemm` for matrix
 *   products and level-1 routines;
 * - oneDNN (`libdnnl.so.2`, Debian `libdnnl2`, version 2.x C API of `dnnl.h`): convolutions and
 *   batch normalisation;
 * - GNU OpenMP (`libgomp.so.1`, a dependency of `libdnnl2`): oneDNN's thread count.
 *
 * Every library is opened once per process. A missing library is a {@link NativeLibraryError} that
 * names the Debian package to install.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import process from "node:process";
import { readEnvironmentVariable } from "../environment.ts";

/** A native library cannot be opened, or a call into it failed. */
export class NativeLibraryError extends Error {
  override name = "NativeLibraryError";
}

/** The Debian package that provides each library. */
export const NATIVE_LIBRARY_PACKAGES = {
  "libopenblas.so.0": "libopenblas0-pthread",
  "libdnnl.so.2": "libdnnl2",
  "libgomp.so.1": "libgomp1",
} as const;

const BLAS_SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: ["i32", "i32", "i32", "i32", "f32", "buffer", "i32", "buffer", "i32", "f32", "buffer", "i32"],
    result: "void",
  },
  cblas_sscal: { parameters: ["i32", "f32", "buffer", "i32"], result: "void" },
  cblas_saxpy: { parameters: ["i32", "f32", "buffer", "i32", "buffer", "i32"], result: "void" },
  cblas_sdot: { parameters: ["i32", "buffer", "i32", "buffer", "i32"], result: "f32" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

const DNNL_SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_tag: { parameters: ["buffer", "i32", "buffer", "i32", "i32"], result: "i32" },
  dnnl_memory_desc_equal: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_memory_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_dilated_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: { parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"], result: "i32" },
  dnnl_eltwise_backward_desc_init: { parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"], result: "i32" },
  dnnl_primitive_desc_create: { parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_execute: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const GOMP_SYMBOLS = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened libraries and their symbols. */
export interface NativeLibraries {
  readonly blas: Deno.DynamicLibrary<typeof BLAS_SYMBOLS>["symbols"];
  readonly dnnl: Deno.DynamicLibrary<typeof DNNL_SYMBOLS>["symbols"];
  readonly gomp: Deno.DynamicLibrary<typeof GOMP_SYMBOLS>["symbols"];
  /** OpenBLAS's build description and oneDNN's version, for logs and benchmarks. */
  readonly description: string;
}

let opened: NativeLibraries | null = null;
let threadCount = 0;

/**
 * Opens one shared library; a failure names the Debian package that provides it.
 *
 * @example
 * ```ts
 * openLibrary("libm.so.6", "libc6", { cos: { parameters: ["f64"], result: "f64" } }).cos(0); // 1
 * ```
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface>(
  file: string,
  debianPackage: string,
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] {
  try {
    return Deno.dlopen(file, symbols).symbols;
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new NativeLibraryError(
      `the native backend needs ${file} (${reason}); install it with \`apt-get install ${debianPackage}\` (Debian), or use NC_BACKEND=wasm`,
    );
  }
}

function open<S extends Deno.ForeignLibraryInterface>(file: keyof typeof NATIVE_LIBRARY_PACKAGES, symbols: S) {
  return openLibrary(file, NATIVE_LIBRARY_PACKAGES[file], symbols);
}

/**
 * Opens OpenBLAS, oneDNN and OpenMP once per process.
 *
 * oneDNN's OpenMP threads wait passively between calls (`OMP_WAIT_POLICY=passive` unless set), so
 * that they do not spin against OpenBLAS's threads on the same cores.
 *
 * @example
 * ```ts
 * const { blas } = openNativeLibraries();
 * blas.openblas_get_num_threads();
 * ```
 */
export function openNativeLibraries(): NativeLibraries {
  if (opened) return opened;
  if (typeof Deno === "undefined" || typeof Deno.dlopen !== "function") {
    throw new NativeLibraryError("the native backend needs Deno's FFI (Deno.dlopen); use NC_BACKEND=wasm");
  }
  // A write, for libgomp to read when it loads: the one place lib/ sets the environment.
  if (readEnvironmentVariable("OMP_WAIT_POLICY") === undefined) process.env.OMP_WAIT_POLICY = "passive";
  const blas = open("libopenblas.so.0", BLAS_SYMBOLS);
  const gomp = open("libgomp.so.1", GOMP_SYMBOLS);
  const dnnl = open("libdnnl.so.2", DNNL_SYMBOLS);
  const versionPointer = dnnl.dnnl_version();
  const view = versionPointer ? new Deno.UnsafePointerView(versionPointer) : null;
  const dnnlVersion = view ? `${view.getInt32(0)}.${view.getInt32(4)}.${view.getInt32(8)}` : "unknown";
  const config = blas.openblas_get_config();
  const blasConfig = config ? Deno.UnsafePointerView.getCString(config).trim() : "OpenBLAS";
  opened = { blas, dnnl, gomp, description: `${blasConfig}; oneDNN ${dnnlVersion}` };
  setNativeThreads(resolveThreadCount());
  return opened;
}

/** Cores available to this process. */
export function coreCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The thread count for the native libraries: the option, else `NC_THREADS`, else the CPUs Slurm
 * gave the task (`SLURM_CPUS_PER_TASK`), else every core. A bad option is a NativeLibraryError, a bad
 * variable an EnvironmentError naming it.
 *
 * @example
 * ```ts
 * resolveThreadCount(2); // 2
 * ```
 */
export function resolveThreadCount(requested?: number): number {
  if (requested === undefined) {
    return readEnvironmentVariable("NC_THREADS") ?? readEnvironmentVariable("SLURM_CPUS_PER_TASK") ?? coreCount();
  }
  if (!Number.isInteger(requested) || requested < 1) {
    throw new NativeLibraryError(
      `thread count must be a positive integer, got ${JSON.stringify(requested)} (from the threads option)`,
    );
  }
  return requested;
}

/** Sets the thread count of OpenBLAS and oneDNN (OpenMP). */
export function setNativeThreads(n: number): void {
  const libraries = opened ?? openNativeLibraries();
  libraries.blas.openblas_set_num_threads(n);
  libraries.gomp.omp_set_num_threads(n);
  threadCount = n;
}

/** The libraries' versions (after {@link openNativeLibraries}). */
export function nativeDescription(): string {
  return opened?.description ?? "native libraries not opened";
}

/** The thread count in force (0 before the libraries are opened). */
export function nativeThreads(): number {
  return threadCount;
}
