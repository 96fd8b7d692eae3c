/**
 * Exact sliding windows over a time-sorted list of (timestamp, value) events.
 *
 * Each window keeps a running count/sum/sum-of-squares anchored at the latest timestamp seen, so an in-order
 * event costs O(windows) amortised. An out-of-order event gets its statistics by an exact scan and is inserted
 * at its sorted place. A window holds events with timestamp in (t - length, t].
 *
 * Memory: everything per instance lives in ONE Uint32Array. With 100,000 accounts the hot path is bound by
 * cache misses, and each separate typed array is one more miss per transaction. An event takes 8 bytes: its
 * timestamp as whole milliseconds after a per-instance base (rebased only when an event would not fit; 2^32 ms is
 * 49 days, more than the retention) and its value as a 32-bit float (relative error < 6e-8; window membership
 * and counts stay exact). The header keeps the running sums in 64-bit floats, stored as word pairs.
 */
import { F64_WORDS, readF32, readF64, writeF32, writeF64 } from './word-codec.ts';

const PAIR = 2;
/** Recompute the running sums from the events every this many inserts, so float drift cannot build up. */
const RESUM_EVERY = 1024;
const MAX_OFFSET = 0xffffffff;
// Header words: latest (f64), base (f64), then per window: start (u32), sum (f64), square (f64).
const LATEST = 0;
const BASE = 2;
const WINDOW_WORDS = 1 + 2 * F64_WORDS;

export class EventWindows {
  private buf: Uint32Array;
  /** Live events are pair indices [head, end). */
  private head = 0;
  private end = 0;
  private insertsSinceResum = 0;
  /** Window length the cached maximum belongs to (0: none). */
  private maxLength = 0;
  private readonly k: number;
  /** Word offset of the first event. */
  private readonly h: number;

  constructor(
    private readonly lengths: readonly number[],
    /** Events older than latest - retentionMs are dropped (the longest window plus allowed lateness). */
    private readonly retentionMs: number,
    /** Hard cap on stored events; past it the oldest are dropped and long windows undercount. */
    private readonly maxEvents: number,
    initialCapacity = 4,
  ) {
    this.k = lengths.length;
    this.h = 4 + WINDOW_WORDS * this.k + 2 * F64_WORDS; // + cached max: its time, its value
    this.buf = new Uint32Array(this.h + initialCapacity * PAIR);
    writeF64(this.buf, LATEST, -Infinity);
    writeF64(this.buf, BASE, NaN);
    this.dropMaxCache();
  }

  get size(): number {
    return this.end - this.head;
  }

  get latestTimestamp(): number {
    return readF64(this.buf, LATEST);
  }

  /** Bytes held by the buffer (for memory accounting). */
  get bufferBytes(): number {
    return this.buf.byteLength;
  }

  private startOf(k: number): number {
    return this.buf[4 + WINDOW_WORDS * k]!;
  }

  private setStart(k: number, start: number): void {
    this.buf[4 + WINDOW_WORDS * k] = start;
  }

  private sumOf(k: number): number {
    return readF64(this.buf, 5 + WINDOW_WORDS * k);
  }

  private squareOf(k: number): number {
    return readF64(this.buf, 7 + WINDOW_WORDS * k);
  }

  private setSums(k: number, sum: number, square: number): void {
    writeF64(this.buf, 5 + WINDOW_WORDS * k, sum);
    writeF64(this.buf, 7 + WINDOW_WORDS * k, square);
  }

  private ts(i: number): number {
    return readF64(this.buf, BASE) + this.buf[this.h + i * PAIR]!;
  }

  private value(i: number): number {
    return readF32(this.buf, this.h + i * PAIR + 1);
  }

  /**
   * Writes count, sum, mean, std for every window as of time t into out[base + 4k .. base + 4k + 3], over the
   * events already recorded (the current one excluded). When `commit` is true and t is not older than the
   * latest event, the window starts advance for good (the caller records t next).
   */
  stats(t: number, out: Float64Array, base: number, commit: boolean): void {
    const K = this.k;
    if (t >= readF64(this.buf, LATEST)) {
      if (commit) {
        this.advance(t);
        for (let k = 0; k < K; k++) {
          writeStats(out, base + 4 * k, this.end - this.startOf(k), this.sumOf(k), this.squareOf(k));
        }
        return;
      }
      for (let k = 0; k < K; k++) {
        const cutoff = t - this.lengths[k]!;
        let start = this.startOf(k);
        let sum = this.sumOf(k);
        let sq = this.squareOf(k);
        while (start < this.end && this.ts(start) <= cutoff) {
          const v = this.value(start);
          sum -= v;
          sq -= v * v;
          start++;
        }
        writeStats(out, base + 4 * k, this.end - start, sum, sq);
      }
      return;
    }
    // Out of order: exact scan of the events at or before t.
    const upper = this.upperBound(t);
    for (let k = 0; k < K; k++) {
      const cutoff = t - this.lengths[k]!;
      let count = 0;
      let sum = 0;
      let sq = 0;
      for (let i = upper - 1; i >= this.head; i--) {
        if (this.ts(i) <= cutoff) break;
        const v = this.value(i);
        count++;
        sum += v;
        sq += v * v;
      }
      writeStats(out, base + 4 * k, count, sum, sq);
    }
  }

  /** Timestamp of the latest event at or before t, or NaN when there is none. */
  previousTimestamp(t: number): number {
    if (this.end === this.head) return NaN;
    const latest = readF64(this.buf, LATEST);
    if (t >= latest) return latest;
    const upper = this.upperBound(t);
    return upper > this.head ? this.ts(upper - 1) : NaN;
  }

  /**
   * Largest value among events in (t - lengthMs, t]; 0 when none. In order, the answer is cached with the time
   * of the maximum and reused while that event stays inside the window, so the scan runs only when the maximum
   * expires (amortised O(1) instead of O(events) per transaction).
   */
  maxValue(t: number, lengthMs: number): number {
    const b = this.buf;
    const inOrder = t >= readF64(b, LATEST);
    if (inOrder && lengthMs === this.maxLength) {
      const at = readF64(b, this.h - 4);
      if (at > t - lengthMs) return readF64(b, this.h - 2);
    }
    // Compare stored offsets directly: one subtraction here instead of a decode per event.
    const cutoffOffset = t - lengthMs - readF64(b, BASE);
    let max = 0;
    let maxIndex = -1;
    const upper = inOrder ? this.end : this.upperBound(t);
    for (let i = upper - 1; i >= this.head; i--) {
      const w = this.h + i * PAIR;
      if (b[w]! <= cutoffOffset) break;
      const v = readF32(b, w + 1);
      if (v > max) {
        max = v;
        maxIndex = i;
      }
    }
    if (inOrder && maxIndex >= 0) {
      this.maxLength = lengthMs;
      writeF64(b, this.h - 4, this.ts(maxIndex));
      writeF64(b, this.h - 2, max);
    }
    return max;
  }

  /** Forgets the cached maximum (an evicted or late event may have changed it). */
  private dropMaxCache(): void {
    writeF64(this.buf, this.h - 4, -Infinity);
  }

  /** Records an event. */
  add(t: number, value: number): void {
    const stored = Math.fround(value);
    const inOrder = t >= readF64(this.buf, LATEST);
    if (inOrder) {
      this.advance(t);
      writeF64(this.buf, LATEST, t);
      this.evict(); // before placing t, so that what is left spans at most the retention
    }
    if (this.end === this.head) writeF64(this.buf, BASE, t);
    else if (t < readF64(this.buf, BASE) || t - readF64(this.buf, BASE) > MAX_OFFSET) this.rebase(t);
    if (this.h + this.end * PAIR === this.buf.length) this.makeRoom();
    if (inOrder) {
      this.buf[this.h + this.end * PAIR] = t - readF64(this.buf, BASE);
      writeF32(this.buf, this.h + this.end * PAIR + 1, stored);
      this.end++;
      for (let k = 0; k < this.k; k++)
        this.setSums(k, this.sumOf(k) + stored, this.squareOf(k) + stored * stored);
      const cachedAt = readF64(this.buf, this.h - 4);
      if (cachedAt > t - this.maxLength && stored >= readF64(this.buf, this.h - 2)) {
        writeF64(this.buf, this.h - 4, t);
        writeF64(this.buf, this.h - 2, stored);
      }
    } else {
      this.insertLate(t, stored);
      this.dropMaxCache();
    }
    this.evict(); // the cap
    if (++this.insertsSinceResum >= RESUM_EVERY) this.resum();
  }

  /** Moves every window's start past the events that fall out of it at time t. */
  private advance(t: number): void {
    const b = this.buf;
    const base = readF64(b, BASE);
    for (let k = 0; k < this.k; k++) {
      const cutoffOffset = t - this.lengths[k]! - base;
      let start = this.startOf(k);
      if (start >= this.end || b[this.h + start * PAIR]! > cutoffOffset) continue;
      let sum = this.sumOf(k);
      let sq = this.squareOf(k);
      while (start < this.end && b[this.h + start * PAIR]! <= cutoffOffset) {
        const v = readF32(b, this.h + start * PAIR + 1);
        sum -= v;
        sq -= v * v;
        start++;
      }
      this.setStart(k, start);
      if (start === this.end) this.setSums(k, 0, 0);
      else this.setSums(k, sum, sq);
    }
  }

  private insertLate(t: number, value: number): void {
    const at = this.upperBound(t);
    const b = this.buf;
    b.copyWithin(this.h + (at + 1) * PAIR, this.h + at * PAIR, this.h + this.end * PAIR);
    b[this.h + at * PAIR] = t - readF64(b, BASE);
    writeF32(b, this.h + at * PAIR + 1, value);
    this.end++;
    const latest = readF64(b, LATEST);
    for (let k = 0; k < this.k; k++) {
      // Inside the window anchored at `latest`: it lands at or after the start. Outside: at or before the
      // start, which therefore shifts one place right.
      if (t > latest - this.lengths[k]!)
        this.setSums(k, this.sumOf(k) + value, this.squareOf(k) + value * value);
      else this.setStart(k, this.startOf(k) + 1);
    }
  }

  /** Drops events past retention or past the cap, keeping window sums consistent. */
  private evict(): void {
    const cutoff = readF64(this.buf, LATEST) - this.retentionMs;
    while (this.head < this.end && (this.ts(this.head) <= cutoff || this.end - this.head > this.maxEvents)) {
      const v = this.value(this.head);
      if (this.ts(this.head) === readF64(this.buf, this.h - 4)) this.dropMaxCache();
      for (let k = 0; k < this.k; k++) {
        if (this.startOf(k) === this.head) {
          this.setSums(k, this.sumOf(k) - v, this.squareOf(k) - v * v);
          this.setStart(k, this.head + 1);
        }
      }
      this.head++;
    }
  }

  private resum(): void {
    this.insertsSinceResum = 0;
    for (let k = 0; k < this.k; k++) {
      let sum = 0;
      let sq = 0;
      for (let i = this.startOf(k); i < this.end; i++) {
        const v = this.value(i);
        sum += v;
        sq += v * v;
      }
      this.setSums(k, sum, sq);
    }
  }

  /** Re-expresses the stored offsets against a new base (a late event before the base, or a long gap). */
  private rebase(t: number): void {
    const oldBase = readF64(this.buf, BASE);
    const first = this.end > this.head ? this.ts(this.head) : t;
    const newBase = Math.min(t, first);
    for (let i = this.head; i < this.end; i++) {
      const w = this.h + i * PAIR;
      this.buf[w] = oldBase + this.buf[w]! - newBase;
    }
    writeF64(this.buf, BASE, newBase);
  }

  /** Compacts dropped events away when at most half is live, or grows the buffer by half. */
  private makeRoom(): void {
    const live = this.end - this.head;
    const capacity = (this.buf.length - this.h) / PAIR;
    if (live * 2 <= capacity) {
      this.buf.copyWithin(this.h, this.h + this.head * PAIR, this.h + this.end * PAIR);
    } else {
      const grown = Math.min(this.maxEvents + 1, capacity + Math.max(4, capacity >> 1));
      const next = new Uint32Array(this.h + grown * PAIR);
      next.set(this.buf.subarray(0, this.h));
      next.set(this.buf.subarray(this.h + this.head * PAIR, this.h + this.end * PAIR), this.h);
      this.buf = next;
    }
    for (let k = 0; k < this.k; k++) this.setStart(k, Math.max(0, this.startOf(k) - this.head));
    this.end = live;
    this.head = 0;
  }

  /** First pair index in [head, end) whose timestamp is > t. */
  private upperBound(t: number): number {
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The live events as [ts, value, ...] and the latest timestamp, for a shared store. */
  snapshot(): { events: Float64Array; latest: number } {
    const events = new Float64Array((this.end - this.head) * PAIR);
    for (let i = this.head; i < this.end; i++) {
      events[(i - this.head) * PAIR] = this.ts(i);
      events[(i - this.head) * PAIR + 1] = this.value(i);
    }
    return { events, latest: readF64(this.buf, LATEST) };
  }

  /** Rebuilds from a snapshot; window starts and running sums are recomputed exactly. */
  static restore(
    lengths: readonly number[],
    retentionMs: number,
    maxEvents: number,
    snap: { events: Float64Array; latest: number },
  ): EventWindows {
    const pairs = snap.events.length / PAIR;
    const w = new EventWindows(lengths, retentionMs, maxEvents, Math.max(4, pairs));
    if (pairs > 0) writeF64(w.buf, BASE, snap.events[0]!);
    for (let i = 0; i < pairs; i++) {
      w.buf[w.h + i * PAIR] = snap.events[i * PAIR]! - snap.events[0]!;
      writeF32(w.buf, w.h + i * PAIR + 1, snap.events[i * PAIR + 1]!);
    }
    w.end = pairs;
    writeF64(w.buf, LATEST, snap.latest);
    for (let k = 0; k < w.k; k++) {
      const cutoff = snap.latest - lengths[k]!;
      let start = 0;
      while (start < w.end && w.ts(start) <= cutoff) start++;
      w.setStart(k, start);
    }
    w.resum();
    return w;
  }
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
