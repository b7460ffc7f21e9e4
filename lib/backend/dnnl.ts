/**
 * A thin layer over oneDNN's C API (version 2.x, `dnnl.h`): one CPU engine and stream, memory
 * descriptors, primitive descriptors and primitives, execution, and the layout constants the
 * native kernels use. Structures are passed as byte buffers sized for the 2.x ABI.
 *
 * @module
 */
import { type NativeLibraries, NativeLibraryError } from "./native_libraries.ts";

/** `dnnl_memory_desc_t` is 696 bytes in oneDNN 2.x; room is left to spare. */
const MEMORY_DESC_BYTES = 1024;
/** The largest operation descriptor used (convolution) is 5,976 bytes in oneDNN 2.x. */
const OP_DESC_BYTES = 8192;

/** Constants of `dnnl_types.h` (oneDNN 2.x). */
export const DNNL = {
  f32: 3,
  tag: { any: 1, a: 2, ab: 3, nhwc: 20, hwio: 30 },
  prop: { forwardTraining: 64, forwardInference: 96, backward: 128, backwardData: 160, backwardWeights: 192 },
  convolutionDirect: 1,
  eltwiseRelu: 0x1f,
  arg: {
    src: 1,
    dst: 17,
    weights: 33,
    bias: 41,
    mean: 49,
    variance: 50,
    scale: 51,
    shift: 52,
    diffSrc: 129,
    diffDst: 145,
    diffWeights: 161,
    diffBias: 169,
    diffScale: 255,
    diffShift: 256,
  },
  flags: { useGlobalStats: 1, useScale: 8, useShift: 16 },
  query: { implInfoStr: 8, srcMd: 129, diffSrcMd: 130, weightsMd: 131, diffWeightsMd: 132 },
} as const;

type Pointer = Deno.PointerValue;

/** The engine, stream and helpers of one process. */
export class Dnnl {
  readonly engine: Pointer;
  readonly stream: Pointer;
  readonly #out = new BigUint64Array(1);

  constructor(readonly libraries: NativeLibraries) {
    const d = libraries.dnnl;
    this.#check(d.dnnl_engine_create(this.#out, 1, 0n), "creating the CPU engine");
    this.engine = this.#pointer();
    this.#check(d.dnnl_stream_create(this.#out, this.engine, 1), "creating a stream");
    this.stream = this.#pointer();
  }

  #pointer(): Pointer {
    return Deno.UnsafePointer.create(this.#out[0]);
  }

  #check(status: number, what: string): void {
    if (status !== 0) throw new NativeLibraryError(`oneDNN failed ${what} (status ${status})`);
  }

  /** `dnnl_dims_t` from a list of sizes. */
  dims(values: readonly number[]): BigInt64Array {
    const dims = new BigInt64Array(12);
    values.forEach((v, i) => (dims[i] = BigInt(v)));
    return dims;
  }

  /** A float32 memory descriptor with the given logical dims and format tag. */
  memoryDesc(dims: readonly number[], tag: number): Uint8Array {
    const md = new Uint8Array(MEMORY_DESC_BYTES);
    this.#check(
      this.libraries.dnnl.dnnl_memory_desc_init_by_tag(md, dims.length, this.dims(dims), DNNL.f32, tag),
      `describing memory of dims [${dims}]`,
    );
    return md;
  }

  /** An empty memory descriptor (an absent bias). */
  zeroDesc(): Uint8Array {
    return new Uint8Array(MEMORY_DESC_BYTES);
  }

  /** A buffer for an operation descriptor. */
  opDesc(): Uint8Array {
    return new Uint8Array(OP_DESC_BYTES);
  }

  /** A primitive descriptor for an initialised operation descriptor. */
  primitiveDesc(opDesc: Uint8Array, what: string, hint: Pointer = null): Pointer {
    this.#check(this.libraries.dnnl.dnnl_primitive_desc_create(this.#out, opDesc, null, this.engine, hint), what);
    return this.#pointer();
  }

  /** A reorder between two memory descriptors. */
  reorderDesc(from: Pointer, to: Pointer): Pointer {
    this.#check(
      this.libraries.dnnl.dnnl_reorder_primitive_desc_create(this.#out, from, this.engine, to, this.engine, null),
      "creating a reorder",
    );
    return this.#pointer();
  }

  /** A primitive from its descriptor. */
  primitive(pd: Pointer): Pointer {
    this.#check(this.libraries.dnnl.dnnl_primitive_create(this.#out, pd), "creating a primitive");
    return this.#pointer();
  }

  /** A memory descriptor that a primitive descriptor chose (`DNNL.query.*Md`). */
  queryMd(pd: Pointer, what: number): Pointer {
    const md = this.libraries.dnnl.dnnl_primitive_desc_query_md(pd, what, 0);
    if (!md) throw new NativeLibraryError(`oneDNN has no memory descriptor for query ${what}`);
    return md;
  }

  /** Bytes a memory descriptor spans. */
  size(md: Pointer): number {
    return Number(this.libraries.dnnl.dnnl_memory_desc_get_size(md));
  }

  /** Whether two memory descriptors describe the same layout. */
  equal(a: Pointer, b: Pointer): boolean {
    return this.libraries.dnnl.dnnl_memory_desc_equal(a, b) === 1;
  }

  /** The implementation oneDNN chose, for example `brgconv:avx512_core`. */
  implementation(pd: Pointer): string {
    this.libraries.dnnl.dnnl_primitive_desc_query(pd, DNNL.query.implInfoStr, 0, new Uint8Array(this.#out.buffer));
    const p = this.#pointer();
    return p ? Deno.UnsafePointerView.getCString(p) : "unknown";
  }

  /** A memory object without data; {@link execute} binds data to it. */
  memory(md: Pointer | Uint8Array): Pointer {
    const desc = md instanceof Uint8Array ? Deno.UnsafePointer.of(md) : md;
    this.#check(this.libraries.dnnl.dnnl_memory_create(this.#out, desc, this.engine, null), "creating memory");
    return this.#pointer();
  }

  /**
   * Executes a primitive on (argument, memory, data) triples and waits for it. Data pointers are
   * bound at every call, because the wasm heap they point into can move between calls.
   */
  execute(primitive: Pointer, args: ReadonlyArray<readonly [number, Pointer, ArrayBufferView]>): void {
    const d = this.libraries.dnnl;
    const packed = new BigUint64Array(args.length * 2);
    args.forEach(([arg, memory, data], i) => {
      this.#check(d.dnnl_memory_set_data_handle(memory, Deno.UnsafePointer.of(data as Uint8Array)), "binding data");
      packed[2 * i] = BigInt(arg);
      packed[2 * i + 1] = BigInt(Deno.UnsafePointer.value(memory));
    });
    this.#check(
      d.dnnl_primitive_execute(primitive, this.stream, args.length, new Uint8Array(packed.buffer)),
      "executing",
    );
    this.#check(d.dnnl_stream_wait(this.stream), "waiting for the stream");
  }

  /** Releases primitives, primitive descriptors and memory objects. */
  destroy(handles: Partial<PrimitiveHandles>): void {
    const d = this.libraries.dnnl;
    for (const p of handles.primitives ?? []) d.dnnl_primitive_destroy(p);
    for (const p of handles.descs ?? []) d.dnnl_primitive_desc_destroy(p);
    for (const p of handles.memories ?? []) d.dnnl_memory_destroy(p);
  }
}

/** Handles that a cached primitive set owns. */
export interface PrimitiveHandles {
  primitives: Pointer[];
  descs: Pointer[];
  memories: Pointer[];
}

/** A bounded cache of primitive sets by key; the least recently used is destroyed first. */
export class PrimitiveCache<T extends { handles: PrimitiveHandles }> {
  readonly #entries = new Map<string, T>();

  constructor(readonly dnnl: Dnnl, readonly limit: number) {}

  /** Number of cached sets. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entries, least recently used first. */
  entries(): IterableIterator<[string, T]> {
    return this.#entries.entries();
  }

  /** The set for `key`, built by `build` on first use. */
  get(key: string, build: () => T): T {
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const made = build();
    this.#entries.set(key, made);
    if (this.#entries.size > this.limit) {
      const [oldest, evicted] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      this.dnnl.destroy(evicted.handles);
    }
    return made;
  }

  /** Destroys every cached set. */
  clear(): void {
    for (const entry of this.#entries.values()) this.dnnl.destroy(entry.handles);
    this.#entries.clear();
  }
}
