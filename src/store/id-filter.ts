/**
 * A Bloom filter of the transaction ids the embedded store holds, so that the idempotency lookup asks the
 * database only about ids it may hold. Nearly every id a payment API receives is new, and after each commit of
 * the writer thread SQLite drops the reading connection's page cache: a lookup of a new id cost about 26 µs of
 * the server's thread a request at 1,000 req/s (BENCHMARKS.md, the profile of issue 18). The filter answers such
 * an id in well under a microsecond.
 *
 * It never forgets an id it was given (no false "absent"), and says "may hold" for about 1 % of the ids it was not
 * given; those go to the database as before. It grows without a rebuild: when a layer is full the next, twice as
 * large, takes the new ids (a scalable Bloom filter), so a store of any size keeps the error near 1 % per layer.
 * Deleted ids stay in it (retention): the database then answers "not found", as without a filter.
 */

/** Bits per id at a layer's capacity, and probes per id: about 1 % false "may hold" (Bloom's formula). */
const BITS_PER_ID = 10;
const PROBES = 7;

class Layer {
  readonly bits: Uint32Array;
  readonly mask: number;
  count = 0;

  constructor(readonly capacity: number) {
    let size = 1024;
    while (size < capacity * BITS_PER_ID) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  add(h1: number, h2: number): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }

  has(h1: number, h2: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

export class IdFilter {
  private readonly layers: Layer[];
  private h1 = 0;
  private h2 = 0;

  constructor(firstCapacity = 1 << 20) {
    this.layers = [new Layer(firstCapacity)];
  }

  add(id: string): void {
    this.hash(id);
    let last = this.layers[this.layers.length - 1]!;
    if (last.count >= last.capacity) {
      last = new Layer(last.capacity * 2);
      this.layers.push(last);
    }
    last.add(this.h1, this.h2);
  }

  /** False: the id was never added. True: it may have been. */
  mayContain(id: string): boolean {
    this.hash(id);
    for (const layer of this.layers) if (layer.has(this.h1, this.h2)) return true;
    return false;
  }

  /** Ids added (a repeated id counts each time). */
  get size(): number {
    return this.layers.reduce((n, layer) => n + layer.count, 0);
  }

  /** Bytes of bits held. */
  get bytes(): number {
    return this.layers.reduce((n, layer) => n + layer.bits.byteLength, 0);
  }

  /** Two independent 32-bit hashes of the id's UTF-16 units (FNV-1a and a multiply-xorshift, each finalised), for double hashing. */
  private hash(id: string): void {
    let a = 0x811c9dc5;
    let b = 0x9e3779b9;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x85ebca6b);
      b ^= b >>> 13;
    }
    // FNV's low bits mix poorly, and the probes take the low bits: both end with MurmurHash3's finaliser.
    this.h1 = mix(a);
    b = mix(b);
    // Odd, so the probes of one id never repeat one bit.
    this.h2 = (b | 1) >>> 0;
  }
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
