/**
 * A strict reader for the Python pickles of CIFAR's "python version" (`cifar-10-batches-py`,
 * `cifar-100-python`, the layout torchvision downloads): each batch is a dict of byte-string keys
 * holding lists of ints, byte strings and one NumPy uint8 array, written by Python 2's `cPickle`
 * (protocol 2, or 1).
 *
 * Only the opcodes such a file uses are read, and nothing is ever called: the three globals a
 * NumPy array needs (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype`) are
 * recognised by name and become an {@link NdArray}; any other global, opcode or array type is a
 * {@link DataError} naming the byte where it stands. Byte strings are views into the input (a
 * 150 MB array is not copied).
 *
 * @module
 */
import { DataError } from "./dataset.ts";

/** A NumPy array from a pickle: C-order uint8 data of the given shape. */
export interface NdArray {
  readonly kind: "ndarray";
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** A value a CIFAR pickle holds. Dict keys are text (byte strings read as Latin-1); tuples are frozen arrays. */
export type PickleValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | NdArray
  | PickleValue[]
  | readonly PickleValue[]
  | Map<string | number, PickleValue>;

/** Objects that exist only while the pickle is read: a global, a dtype and an array being built. */
class Global {
  constructor(readonly name: string) {}
}
class DType {
  constructor(readonly descr: string) {}
}
class ArrayBuilder {
  array?: NdArray;
}

type Item = PickleValue | Global | DType | ArrayBuilder | readonly Item[];

const MARK = Symbol("mark");
const GLOBALS = new Set([
  "numpy.core.multiarray._reconstruct",
  "numpy._core.multiarray._reconstruct",
  "numpy.ndarray",
  "numpy.dtype",
]);

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/**
 * Reads one pickle of CIFAR's python version.
 *
 * @example
 * ```ts
 * // {b"labels": [3, 7]} as Python 2 pickles it: PROTO 2, EMPTY_DICT, MARK, SHORT_BINSTRING "labels",
 * // EMPTY_LIST, MARK, BININT1 3, BININT1 7, APPENDS, SETITEMS, STOP.
 * const key = [...new TextEncoder().encode("labels")];
 * const bytes = Uint8Array.from([0x80, 2, 0x7d, 0x28, 0x55, 6, ...key, 0x5d, 0x28, 0x4b, 3, 0x4b, 7, 0x65, 0x75, 0x2e]);
 * (readPickle(bytes, "batch") as Map<string, number[]>).get("labels"); // [3, 7]
 * ```
 */
export function readPickle(bytes: Uint8Array, source: string): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: (Item | typeof MARK)[] = [];
  const memo = new Map<number, Item>();
  let at = 0;
  let opAt = 0;
  const fail = (what: string): never => {
    throw new DataError(`${source}: ${what} at byte ${opAt} (not a CIFAR python batch this reader takes)`);
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) fail(`the file ends inside an opcode's argument (truncated)`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const u8 = () => take(1)[0];
  const u16 = () => (take(2), view.getUint16(at - 2, true));
  const u32 = () => (take(4), view.getUint32(at - 4, true));
  const i32 = () => (take(4), view.getInt32(at - 4, true));
  const line = (): string => {
    const end = bytes.subarray(at, at + 256).indexOf(0x0a);
    if (end < 0) fail("a text argument without its newline");
    const text = latin1(bytes.subarray(at, at + end));
    at += end + 1;
    return text;
  };
  const pop = (): Item => {
    const item = stack.pop();
    if (item === undefined || item === MARK) fail("an opcode finds no value on the stack");
    return item as Item;
  };
  const popToMark = (): Item[] => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) fail("an opcode finds no mark on the stack");
    return stack.splice(mark).slice(1) as Item[];
  };
  const top = (): Item => {
    const item = stack.at(-1);
    if (item === undefined || item === MARK) fail("an opcode finds no value on the stack");
    return item as Item;
  };
  const list = (item: Item): PickleValue[] => {
    if (!Array.isArray(item) || Object.isFrozen(item)) fail("items appended to something other than a list");
    return item as PickleValue[];
  };
  const setItems = (dict: Item, items: Item[]) => {
    if (!(dict instanceof Map) || items.length % 2 !== 0) fail("items set on something other than a dict");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      const text = key instanceof Uint8Array ? latin1(key) : key;
      if (typeof text !== "string" && typeof text !== "number") fail("a dict key that is not a string or an int");
      (dict as Map<string | number, PickleValue>).set(text as string | number, value(items[i + 1]));
    }
  };
  const value = (item: Item): PickleValue => {
    if (item instanceof ArrayBuilder) return item.array ?? fail("a NumPy array without its data");
    if (item instanceof Global || item instanceof DType) fail("a NumPy object used as a value");
    return item as PickleValue;
  };

  while (at < bytes.length) {
    opAt = at;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const version = u8();
        if (version > 3) fail(`pickle protocol ${version}`);
        break;
      }
      case 0x2e: // STOP
        if (stack.length !== 1) fail("the pickle ends with other than one value on the stack");
        return value(pop());
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) fail(`memo entry ${index} is not defined`);
        stack.push(memo.get(index)!);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x49: { // INT (text; protocols 0 and 1 write booleans as 00 and 01)
        const text = line();
        if (text === "00" || text === "01") stack.push(text === "01");
        else if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) stack.push(Number(text));
        else fail(`an integer "${text}"`);
        break;
      }
      case 0x55: // SHORT_BINSTRING
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x54: // BINSTRING
      case 0x42: { // BINBYTES
        const n = op === 0x54 ? i32() : u32();
        if (n < 0) fail("a string of negative length");
        stack.push(take(n));
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(new TextDecoder("utf-8", { fatal: true }).decode(take(u32())));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const n = op - 0x84, items: Item[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(Object.freeze(items as PickleValue[]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(Object.freeze(popToMark() as PickleValue[]));
        break;
      case 0x61: { // APPEND
        const item = pop();
        list(top()).push(value(item));
        break;
      }
      case 0x65: { // APPENDS
        const items = popToMark();
        list(top()).push(...items.map(value));
        break;
      }
      case 0x73: { // SETITEM
        const item = pop(), key = pop();
        setItems(top(), [key, item]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popToMark();
        setItems(top(), items);
        break;
      }
      case 0x63: { // GLOBAL
        const name = `${line()}.${line()}`;
        if (!GLOBALS.has(name)) fail(`the global ${name}, which this reader does not take`);
        stack.push(new Global(name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), callable = pop();
        stack.push(reduce(callable, args, fail));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        build(top(), state, fail);
        break;
      }
      default:
        fail(`pickle opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }
  return fail("the file ends before the pickle's STOP (truncated)");
}

const isTuple = (item: Item): item is readonly Item[] => Array.isArray(item) && Object.isFrozen(item);

/** `_reconstruct(ndarray, (0,), b"b")` starts an array; `dtype("u1", False, True)` is the uint8 type. */
function reduce(callable: Item, args: Item, fail: (what: string) => never): Item {
  if (!(callable instanceof Global) || !isTuple(args)) return fail("a call of something other than a NumPy global");
  if (callable.name.endsWith("._reconstruct")) {
    const [cls] = args;
    if (args.length !== 3 || !(cls instanceof Global) || cls.name !== "numpy.ndarray") {
      return fail("a NumPy _reconstruct of something other than an ndarray");
    }
    return new ArrayBuilder();
  }
  if (callable.name === "numpy.dtype") {
    const [descr] = args;
    const text = descr instanceof Uint8Array ? String.fromCharCode(...descr) : descr;
    if (text !== "u1") return fail(`a NumPy array of dtype ${JSON.stringify(text)} (CIFAR's pixels are u1)`);
    return new DType(text);
  }
  return fail(`a call of ${callable.name}`);
}

/** A dtype's state (version, byte order '|', …) is checked; an array's state gives its shape and bytes. */
function build(target: Item, state: Item, fail: (what: string) => never): void {
  if (target instanceof DType) {
    if (!isTuple(state) || state.length < 2) fail("a NumPy dtype without its state");
    return;
  }
  if (!(target instanceof ArrayBuilder) || !isTuple(state) || state.length !== 5) {
    return fail("a state set on something other than a NumPy array");
  }
  const [, shape, dtype, fortran, data] = state;
  if (!isTuple(shape) || !shape.every((n) => Number.isInteger(n) && (n as number) >= 0)) fail("an array shape");
  if (!(dtype instanceof DType)) fail("an array without its dtype");
  if (fortran !== false && fortran !== 0) fail("an array in Fortran order");
  if (!(data instanceof Uint8Array)) fail("an array whose data is not a byte string");
  const dims = shape as number[];
  const size = dims.reduce((a, n) => a * n, 1);
  if ((data as Uint8Array).length !== size) {
    fail(`an array of shape ${dims.join("×")} holding ${(data as Uint8Array).length} bytes`);
  }
  target.array = { kind: "ndarray", shape: dims, data: data as Uint8Array };
}
