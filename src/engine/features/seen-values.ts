/**
 * What an account has used before (merchants, devices, countries, cities): 32-bit hashes with use counts, kept
 * as [tag, count] word pairs at the tail of the account's block (entry j at tail - 2(j+1)). The low two bits of
 * each tag say which kind it is, so one list serves all four kinds. Bounded: past MAX_SEEN entries the least
 * used entry of the same kind is forgotten.
 */

export const SEEN_MERCHANT = 0;
export const SEEN_DEVICE = 1;
export const SEEN_COUNTRY = 2;
export const SEEN_CITY = 3;
export type SeenKind = 0 | 1 | 2 | 3;
export const MAX_SEEN = 48;

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

/** The hash with its kind in the low two bits, as an unsigned word; never 0, which means "no value". */
export function tagged(hash: number, kind: SeenKind): number {
  const tag = ((hash & ~3) | kind) >>> 0;
  return tag === 0 ? 4 : tag;
}

/**
 * One pass for everything a transaction asks: out[0..3] = earlier uses of the four tags (0 = never; a tag of 0
 * means "no value" and counts 0), out[4] = the home city tag and out[5] = the home country tag (the most used,
 * with at least `homeMinUses` uses; 0 when none).
 */
export function scanSeen(
  b: Uint32Array,
  tail: number,
  count: number,
  tags: Uint32Array,
  homeMinUses: number,
  out: Uint32Array,
): void {
  const merchant = tags[0]!;
  const device = tags[1]!;
  const country = tags[2]!;
  const city = tags[3]!;
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  let homeCity = 0;
  let homeCityUses = homeMinUses - 1;
  let homeCountry = 0;
  let homeCountryUses = homeMinUses - 1;
  for (let j = 0; j < count; j++) {
    const w = tail - 2 * (j + 1);
    const tag = b[w]!;
    const uses = b[w + 1]!;
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

/**
 * Records one use of each non-zero tag in `tags[0..3]`; returns the new entry count. The caller guarantees room
 * for up to four new entries below `tail` (the list grows down).
 */
export function recordSeen(b: Uint32Array, tail: number, count: number, tags: Uint32Array): number {
  let missing = 0;
  for (let t = 0; t < 4; t++) if (tags[t] !== 0) missing |= 1 << t;
  for (let j = 0; j < count && missing !== 0; j++) {
    const w = tail - 2 * (j + 1);
    const tag = b[w]!;
    for (let t = 0; t < 4; t++) {
      if ((missing & (1 << t)) !== 0 && tags[t] === tag) {
        if (b[w + 1]! < 0xffffffff) b[w + 1] = b[w + 1]! + 1;
        missing &= ~(1 << t);
        break;
      }
    }
  }
  for (let t = 0; t < 4; t++) {
    if ((missing & (1 << t)) === 0) continue;
    const tag = tags[t]!;
    if (count < MAX_SEEN) {
      const w = tail - 2 * (count + 1);
      b[w] = tag;
      b[w + 1] = 1;
      count++;
    } else {
      replaceLeastUsed(b, tail, count, tag);
    }
  }
  return count;
}

function replaceLeastUsed(b: Uint32Array, tail: number, count: number, tag: number): void {
  const kind = tag & 3;
  let victim = -1;
  let victimAny = tail - 2;
  for (let j = 0; j < count; j++) {
    const w = tail - 2 * (j + 1);
    if (b[w + 1]! < b[victimAny + 1]!) victimAny = w;
    if ((b[w]! & 3) === kind && (victim < 0 || b[w + 1]! < b[victim + 1]!)) victim = w;
  }
  const at = victim >= 0 ? victim : victimAny;
  b[at] = tag;
  b[at + 1] = 1;
}
