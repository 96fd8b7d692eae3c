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

/** The same hash with ASCII letters folded to lower case, without allocating a lower-cased copy. */
export function hashValueIgnoringCase(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The hash with its kind in the low two bits; never 0, which means "no value". */
export function tagged(hash: number, kind: SeenKind): number {
  const tag = (hash & ~3) | kind;
  return tag === 0 ? 4 : tag;
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

  /**
   * One pass for everything a transaction asks: out[0..3] = earlier uses of the four tags (0 = never; a tag of 0
   * means "no value" and counts 0), out[4] = the home city tag and out[5] = the home country tag (the most used,
   * with at least `homeMinUses` uses; 0 when none).
   */
  scan(
    merchant: number,
    device: number,
    country: number,
    city: number,
    homeMinUses: number,
    out: Int32Array,
  ): void {
    const e = this.entries;
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    out[3] = 0;
    let homeCity = 0;
    let homeCityUses = homeMinUses - 1;
    let homeCountry = 0;
    let homeCountryUses = homeMinUses - 1;
    for (let i = 0; i < this.size * 2; i += 2) {
      const tag = e[i]!;
      const uses = e[i + 1]!;
      if (tag === merchant) out[0] = uses;
      else if (tag === device) out[1] = uses;
      else if (tag === country) out[2] = uses;
      else if (tag === city) out[3] = uses;
      const kind = tag & 3;
      if (kind === SEEN_CITY && uses > homeCityUses) {
        homeCity = tag;
        homeCityUses = uses;
      } else if (kind === SEEN_COUNTRY && uses > homeCountryUses) {
        homeCountry = tag;
        homeCountryUses = uses;
      }
    }
    out[4] = homeCity;
    out[5] = homeCountry;
  }

  /** Records one use of each non-zero tag, in one pass over the entries. */
  recordAll(a: number, b: number, c: number, d: number): void {
    const e = this.entries;
    for (let i = 0; i < this.size * 2; i += 2) {
      const tag = e[i]!;
      if (tag === a || tag === b || tag === c || tag === d) {
        if (e[i + 1]! < 0x7fffffff) e[i + 1] = e[i + 1]! + 1;
        if (tag === a) a = 0;
        else if (tag === b) b = 0;
        else if (tag === c) c = 0;
        else d = 0;
      }
    }
    if (a !== 0) this.insert(a);
    if (b !== 0) this.insert(b);
    if (c !== 0) this.insert(c);
    if (d !== 0) this.insert(d);
  }

  /** Records one use of a tag. */
  record(taggedHash: number): void {
    this.recordAll(taggedHash, 0, 0, 0);
  }

  private insert(taggedHash: number): void {
    if (this.size < this.capacity) {
      if (this.size * 2 === this.entries.length) {
        const grown = new Int32Array(Math.min(this.capacity, this.size * 2) * 2);
        grown.set(this.entries);
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
