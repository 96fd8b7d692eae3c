/**
 * Exact sliding windows kept inside a block of 32-bit words (in an arena page or a buffer of its own).
 *
 * Each window keeps a running count/sum/sum-of-squares anchored at the latest timestamp seen, so an in-order
 * event costs O(windows) amortised. An out-of-order event gets its statistics by an exact scan and is inserted
 * at its sorted place. A window holds events with timestamp in (t - length, t].
 *
 * An event takes 8 bytes: its timestamp as whole milliseconds after the block's base (rebased only when an
 * event would not fit; 2^32 ms is 49 days, more than any retention) and its value as a 32-bit float (relative
 * error < 6e-8; window membership and counts stay exact). Running sums are 64-bit floats, recomputed from the
 * events every RESUM_EVERY inserts so drift cannot build up.
 *
 * Block layout (word offsets from the block start): header, then the owner's extra words, then events
 * [head, end) as pairs; the owner may use the block's tail (growing down) for its own entries.
 */
import { readF32, readF64, writeF32, writeF64 } from './word-codec.ts';

const CAP = 0; // block size in words
const HEAD = 1;
const END = 2;
const RESUM = 3;
const MAX_LENGTH = 4; // window length the cached maximum belongs to (0: none)
const LATEST = 6;
const BASE = 8;
const MAX_AT = 10;
const MAX_VALUE = 12;
const WINDOWS = 14; // per window: start (u32), sum (f64), square (f64)
const WINDOW_WORDS = 5;
const RESUM_EVERY = 1024;
const MAX_OFFSET = 0xffffffff;

export interface WindowLayout {
  readonly lengths: readonly number[];
  /** Events older than latest - retentionMs are dropped (the longest window plus allowed lateness). */
  readonly retentionMs: number;
  /** Past this many stored events the oldest are dropped and long windows undercount. */
  readonly maxEvents: number;
  /** Offset of the owner's extra words. */
  readonly extra: number;
  /** Offset of the first event pair. */
  readonly events: number;
}

export function windowLayout(
  lengths: readonly number[],
  retentionMs: number,
  maxEvents: number,
  extraWords: number,
): WindowLayout {
  const extra = WINDOWS + WINDOW_WORDS * lengths.length;
  return { lengths, retentionMs, maxEvents, extra, events: extra + extraWords };
}

export function initWindows(b: Uint32Array, o: number, blockWords: number): void {
  b[o + CAP] = blockWords;
  writeF64(b, o + LATEST, -Infinity);
  writeF64(b, o + BASE, NaN);
  writeF64(b, o + MAX_AT, -Infinity);
}

export function blockWords(b: Uint32Array, o: number): number {
  return b[o + CAP]!;
}

export function setBlockWords(b: Uint32Array, o: number, words: number): void {
  b[o + CAP] = words;
}

export function liveEvents(b: Uint32Array, o: number): number {
  return b[o + END]! - b[o + HEAD]!;
}

/** Words from the block start to just past the last stored event. */
export function usedEventWords(b: Uint32Array, o: number, L: WindowLayout): number {
  return L.events + 2 * b[o + END]!;
}

export function latestTimestamp(b: Uint32Array, o: number): number {
  return readF64(b, o + LATEST);
}

function ts(b: Uint32Array, o: number, L: WindowLayout, i: number): number {
  return readF64(b, o + BASE) + b[o + L.events + 2 * i]!;
}

function value(b: Uint32Array, o: number, L: WindowLayout, i: number): number {
  return readF32(b, o + L.events + 2 * i + 1);
}

function startOf(b: Uint32Array, o: number, k: number): number {
  return b[o + WINDOWS + WINDOW_WORDS * k]!;
}

function sumOf(b: Uint32Array, o: number, k: number): number {
  return readF64(b, o + WINDOWS + WINDOW_WORDS * k + 1);
}

function squareOf(b: Uint32Array, o: number, k: number): number {
  return readF64(b, o + WINDOWS + WINDOW_WORDS * k + 3);
}

function setSums(b: Uint32Array, o: number, k: number, sum: number, square: number): void {
  writeF64(b, o + WINDOWS + WINDOW_WORDS * k + 1, sum);
  writeF64(b, o + WINDOWS + WINDOW_WORDS * k + 3, square);
}

/** First event index in [head, end) whose timestamp is > t. */
function upperBound(b: Uint32Array, o: number, L: WindowLayout, t: number): number {
  const limit = t - readF64(b, o + BASE);
  let lo = b[o + HEAD]!;
  let hi = b[o + END]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[o + L.events + 2 * mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Writes count, sum, mean, std for every window as of time t into out[at + 4k .. at + 4k + 3], over the events
 * already recorded (the current one excluded). `commit` (in order only) advances the window starts for good.
 */
export function windowStats(
  b: Uint32Array,
  o: number,
  L: WindowLayout,
  t: number,
  out: Float64Array,
  at: number,
  commit: boolean,
): void {
  const K = L.lengths.length;
  const end = b[o + END]!;
  if (t >= readF64(b, o + LATEST)) {
    if (commit) advance(b, o, L, t);
    const base = readF64(b, o + BASE);
    for (let k = 0; k < K; k++) {
      let start = startOf(b, o, k);
      let sum = sumOf(b, o, k);
      let sq = squareOf(b, o, k);
      const cutoff = t - L.lengths[k]! - base;
      while (start < end && b[o + L.events + 2 * start]! <= cutoff) {
        const v = readF32(b, o + L.events + 2 * start + 1);
        sum -= v;
        sq -= v * v;
        start++;
      }
      writeStats(out, at + 4 * k, end - start, sum, sq);
    }
    return;
  }
  // Out of order: exact scan of the events at or before t.
  const upper = upperBound(b, o, L, t);
  const head = b[o + HEAD]!;
  for (let k = 0; k < K; k++) {
    const cutoff = t - L.lengths[k]!;
    let count = 0;
    let sum = 0;
    let sq = 0;
    for (let i = upper - 1; i >= head; i--) {
      if (ts(b, o, L, i) <= cutoff) break;
      const v = value(b, o, L, i);
      count++;
      sum += v;
      sq += v * v;
    }
    writeStats(out, at + 4 * k, count, sum, sq);
  }
}

/** Timestamp of the latest event at or before t, or NaN when there is none. */
export function previousTimestamp(b: Uint32Array, o: number, L: WindowLayout, t: number): number {
  if (b[o + END] === b[o + HEAD]) return NaN;
  const latest = readF64(b, o + LATEST);
  if (t >= latest) return latest;
  const upper = upperBound(b, o, L, t);
  return upper > b[o + HEAD]! ? ts(b, o, L, upper - 1) : NaN;
}

/** The newest event at or before t (the last one when t is not earlier than every event); head - 1 when none. */
function newestAtOrBefore(b: Uint32Array, o: number, L: WindowLayout, t: number): number {
  return (t >= readF64(b, o + LATEST) ? b[o + END]! : upperBound(b, o, L, t)) - 1;
}

/** Index of the largest value among events in (t - lengthMs, t], by a scan; -1 when none is above 0. */
function largestIndex(b: Uint32Array, o: number, L: WindowLayout, t: number, lengthMs: number): number {
  const cutoff = t - lengthMs - readF64(b, o + BASE);
  const head = b[o + HEAD]!;
  let max = 0;
  let maxIndex = -1;
  for (let i = newestAtOrBefore(b, o, L, t); i >= head; i--) {
    const w = o + L.events + 2 * i;
    if (b[w]! <= cutoff) break;
    const v = readF32(b, w + 1);
    if (v > max) {
      max = v;
      maxIndex = i;
    }
  }
  return maxIndex;
}

/**
 * Largest value among events in (t - lengthMs, t]; 0 when none. In order, the answer is cached with the time
 * of the maximum and reused while that event stays inside the window: the scan runs only when the maximum
 * expires (amortised O(1) instead of O(events) per transaction).
 */
export function maxValue(b: Uint32Array, o: number, L: WindowLayout, t: number, lengthMs: number): number {
  const inOrder = t >= readF64(b, o + LATEST);
  if (inOrder && b[o + MAX_LENGTH] === lengthMs && readF64(b, o + MAX_AT) > t - lengthMs) {
    return readF64(b, o + MAX_VALUE);
  }
  const maxIndex = largestIndex(b, o, L, t, lengthMs);
  if (maxIndex < 0) return 0;
  const max = value(b, o, L, maxIndex);
  if (inOrder) {
    b[o + MAX_LENGTH] = lengthMs;
    writeF64(b, o + MAX_AT, ts(b, o, L, maxIndex));
    writeF64(b, o + MAX_VALUE, max);
  }
  return max;
}

/**
 * Largest value among events in (t - lengthMs, t] by a scan, with no cache (the block caches one window's
 * maximum, maxValue's); 0 when none. Out of order, only events at or before t count.
 */
export function windowMax(b: Uint32Array, o: number, L: WindowLayout, t: number, lengthMs: number): number {
  const maxIndex = largestIndex(b, o, L, t, lengthMs);
  return maxIndex < 0 ? 0 : value(b, o, L, maxIndex);
}

/**
 * How many of the latest events in (t - lengthMs, t], counted back from the newest at or before t, have value
 * `v` in a row (stopping at the first other value), at most `cap`. Events are in time order whatever order they
 * were added in, so the run is exact; the scan stops after `cap` + 1 events.
 */
export function trailingRun(
  b: Uint32Array,
  o: number,
  L: WindowLayout,
  t: number,
  lengthMs: number,
  v: number,
  cap: number,
): number {
  const cutoff = t - lengthMs - readF64(b, o + BASE);
  const head = b[o + HEAD]!;
  let run = 0;
  for (let i = newestAtOrBefore(b, o, L, t); i >= head && run < cap; i--) {
    const w = o + L.events + 2 * i;
    if (b[w]! <= cutoff || readF32(b, w + 1) !== v) break;
    run++;
  }
  return run;
}

/** True when one more event fits below `limit` (the block end, or where the owner's tail entries begin). */
export function hasRoomForEvent(b: Uint32Array, o: number, L: WindowLayout, limit: number): boolean {
  return L.events + 2 * (b[o + END]! + 1) <= limit;
}

/** Moves the live events to the front of the event area (call when there is no room). */
export function compactEvents(b: Uint32Array, o: number, L: WindowLayout): void {
  const head = b[o + HEAD]!;
  if (head === 0) return;
  const end = b[o + END]!;
  b.copyWithin(o + L.events, o + L.events + 2 * head, o + L.events + 2 * end);
  for (let k = 0; k < L.lengths.length; k++) {
    const w = o + WINDOWS + WINDOW_WORDS * k;
    b[w] = Math.max(0, b[w]! - head);
  }
  b[o + HEAD] = 0;
  b[o + END] = end - head;
}

/** Records an event. The caller made room first (hasRoomForEvent, else compact or grow the block). */
export function addEvent(b: Uint32Array, o: number, L: WindowLayout, t: number, v: number): void {
  const stored = Math.fround(v);
  const inOrder = t >= readF64(b, o + LATEST);
  if (inOrder) {
    advance(b, o, L, t);
    writeF64(b, o + LATEST, t);
    evict(b, o, L); // before placing t, so what is left spans at most the retention
  }
  if (b[o + END] === b[o + HEAD]) writeF64(b, o + BASE, t);
  else if (t < readF64(b, o + BASE) || t - readF64(b, o + BASE) > MAX_OFFSET) rebase(b, o, L, t);
  const K = L.lengths.length;
  if (inOrder) {
    const w = o + L.events + 2 * b[o + END]!;
    b[w] = t - readF64(b, o + BASE);
    writeF32(b, w + 1, stored);
    b[o + END] = b[o + END]! + 1;
    for (let k = 0; k < K; k++)
      setSums(b, o, k, sumOf(b, o, k) + stored, squareOf(b, o, k) + stored * stored);
    if (readF64(b, o + MAX_AT) > t - b[o + MAX_LENGTH]! && stored >= readF64(b, o + MAX_VALUE)) {
      writeF64(b, o + MAX_AT, t);
      writeF64(b, o + MAX_VALUE, stored);
    }
  } else {
    insertLate(b, o, L, t, stored);
    writeF64(b, o + MAX_AT, -Infinity);
  }
  evict(b, o, L); // the cap
  b[o + RESUM] = b[o + RESUM]! + 1;
  if (b[o + RESUM]! >= RESUM_EVERY) resum(b, o, L);
}

/**
 * Takes back one event with timestamp t and value v (a decision that could not be stored); false when no such
 * event is held (already evicted). Rare, so it is simple: the event is cut out, the latest timestamp becomes the
 * newest event left, and every window is rebuilt from the events by search and a full re-sum.
 */
export function removeEvent(b: Uint32Array, o: number, L: WindowLayout, t: number, v: number): boolean {
  const stored = Math.fround(v);
  const head = b[o + HEAD]!;
  const end = b[o + END]!;
  let at = -1;
  for (let i = upperBound(b, o, L, t) - 1; i >= head && ts(b, o, L, i) === t; i--) {
    if (value(b, o, L, i) === stored) {
      at = i;
      break;
    }
  }
  if (at < 0) return false;
  b.copyWithin(o + L.events + 2 * at, o + L.events + 2 * (at + 1), o + L.events + 2 * end);
  b[o + END] = end - 1;
  const latest = end - 1 > head ? ts(b, o, L, end - 2) : -Infinity;
  writeF64(b, o + LATEST, latest);
  for (let k = 0; k < L.lengths.length; k++) {
    b[o + WINDOWS + WINDOW_WORDS * k] = upperBound(b, o, L, latest - L.lengths[k]!);
  }
  writeF64(b, o + MAX_AT, -Infinity);
  resum(b, o, L);
  return true;
}

/** Moves every window's start past the events that fall out of it at time t. */
/** Moves every window's start to time t for good (events at or before t - length leave the running sums). */
export function advance(b: Uint32Array, o: number, L: WindowLayout, t: number): void {
  const base = readF64(b, o + BASE);
  const end = b[o + END]!;
  for (let k = 0; k < L.lengths.length; k++) {
    const cutoff = t - L.lengths[k]! - base;
    let start = startOf(b, o, k);
    if (start >= end || b[o + L.events + 2 * start]! > cutoff) continue;
    let sum = sumOf(b, o, k);
    let sq = squareOf(b, o, k);
    while (start < end && b[o + L.events + 2 * start]! <= cutoff) {
      const v = readF32(b, o + L.events + 2 * start + 1);
      sum -= v;
      sq -= v * v;
      start++;
    }
    b[o + WINDOWS + WINDOW_WORDS * k] = start;
    if (start === end) setSums(b, o, k, 0, 0);
    else setSums(b, o, k, sum, sq);
  }
}

function insertLate(b: Uint32Array, o: number, L: WindowLayout, t: number, v: number): void {
  const at = upperBound(b, o, L, t);
  const end = b[o + END]!;
  b.copyWithin(o + L.events + 2 * (at + 1), o + L.events + 2 * at, o + L.events + 2 * end);
  b[o + L.events + 2 * at] = t - readF64(b, o + BASE);
  writeF32(b, o + L.events + 2 * at + 1, v);
  b[o + END] = end + 1;
  const latest = readF64(b, o + LATEST);
  for (let k = 0; k < L.lengths.length; k++) {
    // Inside the window anchored at `latest`: it lands at or after the start. Outside: at or before the start,
    // which therefore shifts one place right.
    if (t > latest - L.lengths[k]!) setSums(b, o, k, sumOf(b, o, k) + v, squareOf(b, o, k) + v * v);
    else b[o + WINDOWS + WINDOW_WORDS * k] = startOf(b, o, k) + 1;
  }
}

/** Drops events past retention or past the cap, keeping window sums and the cached max consistent. */
function evict(b: Uint32Array, o: number, L: WindowLayout): void {
  const cutoff = readF64(b, o + LATEST) - L.retentionMs;
  let head = b[o + HEAD]!;
  const end = b[o + END]!;
  while (head < end && (ts(b, o, L, head) <= cutoff || end - head > L.maxEvents)) {
    const v = value(b, o, L, head);
    if (ts(b, o, L, head) === readF64(b, o + MAX_AT)) writeF64(b, o + MAX_AT, -Infinity);
    for (let k = 0; k < L.lengths.length; k++) {
      if (startOf(b, o, k) === head) {
        setSums(b, o, k, sumOf(b, o, k) - v, squareOf(b, o, k) - v * v);
        b[o + WINDOWS + WINDOW_WORDS * k] = head + 1;
      }
    }
    head++;
  }
  b[o + HEAD] = head;
}

function resum(b: Uint32Array, o: number, L: WindowLayout): void {
  b[o + RESUM] = 0;
  const end = b[o + END]!;
  for (let k = 0; k < L.lengths.length; k++) {
    let sum = 0;
    let sq = 0;
    for (let i = startOf(b, o, k); i < end; i++) {
      const v = value(b, o, L, i);
      sum += v;
      sq += v * v;
    }
    setSums(b, o, k, sum, sq);
  }
}

/** Re-expresses the stored offsets against a new base (a late event before the base, or a long gap). */
function rebase(b: Uint32Array, o: number, L: WindowLayout, t: number): void {
  const oldBase = readF64(b, o + BASE);
  const head = b[o + HEAD]!;
  const end = b[o + END]!;
  const newBase = Math.min(t, end > head ? ts(b, o, L, head) : t);
  for (let i = head; i < end; i++) {
    const w = o + L.events + 2 * i;
    b[w] = oldBase + b[w]! - newBase;
  }
  writeF64(b, o + BASE, newBase);
}

function writeStats(out: Float64Array, at: number, count: number, sum: number, sq: number): void {
  out[at] = count;
  if (count === 0) {
    out[at + 1] = 0;
    out[at + 2] = 0;
    out[at + 3] = 0;
    return;
  }
  const mean = sum / count;
  const variance = sq / count - mean * mean;
  out[at + 1] = sum;
  out[at + 2] = mean;
  // Guard the tiny negative values that cancellation can produce for constant amounts.
  out[at + 3] = count > 1 && variance > mean * mean * 1e-12 ? Math.sqrt(variance) : 0;
}

/** The live events as [ts, value, ...], for tests and diagnostics. */
export function eventsOf(b: Uint32Array, o: number, L: WindowLayout): Float64Array {
  const head = b[o + HEAD]!;
  const end = b[o + END]!;
  const out = new Float64Array((end - head) * 2);
  for (let i = head; i < end; i++) {
    out[(i - head) * 2] = ts(b, o, L, i);
    out[(i - head) * 2 + 1] = value(b, o, L, i);
  }
  return out;
}
