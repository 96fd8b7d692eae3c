/**
 * What an account has used before (merchants, devices, countries, cities), as 32-bit hashes with use counts
 * in one small Int32Array. The low two bits of each stored hash say which kind it is, so one buffer serves all
 * four kinds. Bounded: past `capacity` entries the least used entry of the same kind is forgotten.
 */

export const SEEN_MERCHANT = 0;
export const SEEN_DEVICE = 1;
export const SEEN_COUNTRY = 2;
export const SEEN_CITY = 3;
export type SeenKind = 0 | 1 | 2 | 3;

/** FNV-1a over UTF-16 code units: fast, good enough spread for a per-account set of a few dozen values. */
export function hashValue(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export function tagged(hash: number, kind: SeenKind): number {
  return (hash & ~3) | kind;
}

export class SeenValues {
  /** Pairs [taggedHash, count]; `size` pairs are live. */
  private entries: Int32Array;
  private size = 0;

  constructor(
    private readonly capacity = 48,
    initial = 4,
  ) {
    this.entries = new Int32Array(initial * 2);
  }

  get bufferBytes(): number {
    return this.entries.byteLength;
  }

  /** How often the tagged value was used before; 0 means never. */
  count(taggedHash: number): number {
    const e = this.entries;
    for (let i = 0; i < this.size * 2; i += 2) if (e[i] === taggedHash) return e[i + 1]!;
    return 0;
  }

  /** The most used entry of a kind if it was used at least `minUses` times, else 0 (no home yet). */
  mostUsed(kind: SeenKind, minUses: number): number {
    const e = this.entries;
    let best = 0;
    let bestCount = minUses - 1;
    for (let i = 0; i < this.size * 2; i += 2) {
      if ((e[i]! & 3) === kind && e[i + 1]! > bestCount) {
        best = e[i]!;
        bestCount = e[i + 1]!;
      }
    }
    return bestCount >= minUses ? best : 0;
  }

  record(taggedHash: number): void {
    const e = this.entries;
    for (let i = 0; i < this.size * 2; i += 2) {
      if (e[i] === taggedHash) {
        if (e[i + 1]! < 0x7fffffff) e[i + 1] = e[i + 1]! + 1;
        return;
      }
    }
    if (this.size < this.capacity) {
      if (this.size * 2 === e.length) {
        const grown = new Int32Array(Math.min(this.capacity, this.size * 2) * 2);
        grown.set(e);
        this.entries = grown;
      }
      this.entries[this.size * 2] = taggedHash;
      this.entries[this.size * 2 + 1] = 1;
      this.size++;
      return;
    }
    this.replaceLeastUsed(taggedHash);
  }

  private replaceLeastUsed(taggedHash: number): void {
    const e = this.entries;
    const kind = taggedHash & 3;
    let victim = -1;
    let victimAny = 0;
    for (let i = 0; i < this.size * 2; i += 2) {
      if (e[i + 1]! < e[victimAny + 1]!) victimAny = i;
      if ((e[i]! & 3) === kind && (victim < 0 || e[i + 1]! < e[victim + 1]!)) victim = i;
    }
    const at = victim >= 0 ? victim : victimAny;
    e[at] = taggedHash;
    e[at + 1] = 1;
  }

  snapshot(): Int32Array {
    return this.entries.slice(0, this.size * 2);
  }

  static restore(pairs: Int32Array, capacity = 48): SeenValues {
    const s = new SeenValues(capacity, Math.max(4, pairs.length / 2));
    s.entries.set(pairs);
    s.size = pairs.length / 2;
    return s;
  }
}
