/**
 * Reads and writes 64- and 32-bit floats inside a Uint32Array through one shared scratch buffer, so a state can
 * keep integers and floats in a single typed array (one allocation, one cache line less to miss).
 */

const scratch = new ArrayBuffer(8);
const asF64 = new Float64Array(scratch);
const asF32 = new Float32Array(scratch, 0, 1);
const asU32 = new Uint32Array(scratch);

/** Words a 64-bit float takes. */
export const F64_WORDS = 2;

export function readF64(words: Uint32Array, at: number): number {
  asU32[0] = words[at]!;
  asU32[1] = words[at + 1]!;
  return asF64[0]!;
}

export function writeF64(words: Uint32Array, at: number, value: number): void {
  asF64[0] = value;
  words[at] = asU32[0]!;
  words[at + 1] = asU32[1]!;
}

export function readF32(words: Uint32Array, at: number): number {
  asU32[0] = words[at]!;
  return asF32[0]!;
}

export function writeF32(words: Uint32Array, at: number, value: number): void {
  asF32[0] = value;
  words[at] = asU32[0]!;
}
