/**
 * Exact sliding windows over a time-sorted list of (timestamp, value) events, kept in one Float64Array of
 * interleaved pairs so a window set costs one buffer.
 *
 * Each window keeps running count/sum/sum-of-squares anchored at the latest timestamp seen, so an in-order
 * event costs O(windows) amortised. An out-of-order event gets its statistics by an exact scan and is inserted
 * at its sorted place. A window holds events with timestamp in (t - length, t].
 */

const PAIR = 2;
/** Recompute the running sums from the events every this many inserts, so float drift cannot build up. */
const RESUM_EVERY = 1024;

export class EventWindows {
  /** Interleaved [ts0, v0, ts1, v1, ...]; live events are at pair indices [head, end). */
  private events: Float64Array;
  private head = 0;
  private end = 0;
  private readonly lengths: readonly number[];
  /** Per window: first live pair index inside the window anchored at `latest`. */
  private readonly starts: Int32Array;
  private readonly sums: Float64Array;
  private readonly squares: Float64Array;
  private latest = -Infinity;
  private insertsSinceResum = 0;

  constructor(
    windowLengthsMs: readonly number[],
    /** Events older than latest - retentionMs are dropped (the longest window plus allowed lateness). */
    private readonly retentionMs: number,
    /** Hard cap on stored events; past it the oldest are dropped and long windows undercount. */
    private readonly maxEvents: number,
    initialCapacity = 4,
  ) {
    this.lengths = windowLengthsMs;
    this.events = new Float64Array(initialCapacity * PAIR);
    this.starts = new Int32Array(windowLengthsMs.length);
    this.sums = new Float64Array(windowLengthsMs.length);
    this.squares = new Float64Array(windowLengthsMs.length);
  }

  get size(): number {
    return this.end - this.head;
  }

  get latestTimestamp(): number {
    return this.latest;
  }

  /** Bytes held by the event buffer (for memory accounting). */
  get bufferBytes(): number {
    return this.events.byteLength;
  }

  /**
   * Writes count, sum, mean, std for every window as of time t into out[base + 4k .. base + 4k + 3], over the
   * events already recorded (the current one excluded). When `commit` is true and t is not older than the
   * latest event, the window starts advance for good (the caller will record t next).
   */
  stats(t: number, out: Float64Array, base: number, commit: boolean): void {
    const n = this.lengths.length;
    if (t >= this.latest) {
      for (let k = 0; k < n; k++) {
        const cutoff = t - this.lengths[k]!;
        let start = this.starts[k]!;
        let sum = this.sums[k]!;
        let sq = this.squares[k]!;
        while (start < this.end && this.events[start * PAIR]! <= cutoff) {
          const v = this.events[start * PAIR + 1]!;
          sum -= v;
          sq -= v * v;
          start++;
        }
        const count = this.end - start;
        if (count === 0) {
          sum = 0;
          sq = 0;
        }
        if (commit) {
          this.starts[k] = start;
          this.sums[k] = sum;
          this.squares[k] = sq;
        }
        writeStats(out, base + 4 * k, count, sum, sq);
      }
      return;
    }
    // Out of order: exact scan of the events at or before t.
    const upper = this.upperBound(t);
    for (let k = 0; k < n; k++) {
      const cutoff = t - this.lengths[k]!;
      let count = 0;
      let sum = 0;
      let sq = 0;
      for (let i = upper - 1; i >= this.head; i--) {
        if (this.events[i * PAIR]! <= cutoff) break;
        const v = this.events[i * PAIR + 1]!;
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
    if (t >= this.latest) return this.latest;
    const upper = this.upperBound(t);
    return upper > this.head ? this.events[(upper - 1) * PAIR]! : NaN;
  }

  /** Largest value among events in (t - lengthMs, t]; 0 when none. */
  maxValue(t: number, lengthMs: number): number {
    const cutoff = t - lengthMs;
    let max = 0;
    const upper = t >= this.latest ? this.end : this.upperBound(t);
    for (let i = upper - 1; i >= this.head; i--) {
      if (this.events[i * PAIR]! <= cutoff) break;
      const v = this.events[i * PAIR + 1]!;
      if (v > max) max = v;
    }
    return max;
  }

  /** Records an event. Call `stats(t, ..., true)` first when t is in order, so the windows are anchored at t. */
  add(t: number, value: number): void {
    if (this.end * PAIR === this.events.length) this.makeRoom();
    if (t >= this.latest) {
      this.advance(t);
      this.events[this.end * PAIR] = t;
      this.events[this.end * PAIR + 1] = value;
      this.end++;
      this.latest = t;
      for (let k = 0; k < this.lengths.length; k++) {
        this.sums[k] = this.sums[k]! + value;
        this.squares[k] = this.squares[k]! + value * value;
      }
    } else {
      this.insertLate(t, value);
    }
    this.evict();
    if (++this.insertsSinceResum >= RESUM_EVERY) this.resum();
  }

  /** Moves every window's start past the events that fall out of it at time t. */
  private advance(t: number): void {
    for (let k = 0; k < this.lengths.length; k++) {
      const cutoff = t - this.lengths[k]!;
      let start = this.starts[k]!;
      while (start < this.end && this.events[start * PAIR]! <= cutoff) {
        const v = this.events[start * PAIR + 1]!;
        this.sums[k] = this.sums[k]! - v;
        this.squares[k] = this.squares[k]! - v * v;
        start++;
      }
      if (start === this.end) {
        this.sums[k] = 0;
        this.squares[k] = 0;
      }
      this.starts[k] = start;
    }
  }

  private insertLate(t: number, value: number): void {
    const at = this.upperBound(t);
    this.events.copyWithin((at + 1) * PAIR, at * PAIR, this.end * PAIR);
    this.events[at * PAIR] = t;
    this.events[at * PAIR + 1] = value;
    this.end++;
    for (let k = 0; k < this.lengths.length; k++) {
      // Inside the window anchored at `latest`: it lands at or after the start. Outside: at or before the
      // start, which therefore shifts one place right.
      if (t > this.latest - this.lengths[k]!) {
        this.sums[k] = this.sums[k]! + value;
        this.squares[k] = this.squares[k]! + value * value;
      } else {
        this.starts[k] = this.starts[k]! + 1;
      }
    }
  }

  /** Drops events past retention or past the cap, keeping window sums consistent. */
  private evict(): void {
    const cutoff = this.latest - this.retentionMs;
    while (
      this.head < this.end &&
      (this.events[this.head * PAIR]! <= cutoff || this.end - this.head > this.maxEvents)
    ) {
      const v = this.events[this.head * PAIR + 1]!;
      for (let k = 0; k < this.lengths.length; k++) {
        if (this.starts[k] === this.head) {
          this.sums[k] = this.sums[k]! - v;
          this.squares[k] = this.squares[k]! - v * v;
          this.starts[k] = this.head + 1;
        }
      }
      this.head++;
    }
  }

  private resum(): void {
    this.insertsSinceResum = 0;
    for (let k = 0; k < this.lengths.length; k++) {
      let sum = 0;
      let sq = 0;
      for (let i = this.starts[k]!; i < this.end; i++) {
        const v = this.events[i * PAIR + 1]!;
        sum += v;
        sq += v * v;
      }
      this.sums[k] = sum;
      this.squares[k] = sq;
    }
  }

  /** Compacts dropped events away, or doubles the buffer when more than half is live. */
  private makeRoom(): void {
    const live = this.end - this.head;
    const capacity = this.events.length / PAIR;
    const target = live * 2 > capacity ? capacity * 2 : capacity;
    if (target === capacity) {
      this.events.copyWithin(0, this.head * PAIR, this.end * PAIR);
    } else {
      const next = new Float64Array(target * PAIR);
      next.set(this.events.subarray(this.head * PAIR, this.end * PAIR));
      this.events = next;
    }
    for (let k = 0; k < this.lengths.length; k++) this.starts[k] = Math.max(0, this.starts[k]! - this.head);
    this.end = live;
    this.head = 0;
  }

  /** First pair index in [head, end) whose timestamp is > t. */
  private upperBound(t: number): number {
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid * PAIR]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A compact copy of the live events and anchors, for a shared store. */
  snapshot(): { events: Float64Array; latest: number } {
    return { events: this.events.slice(this.head * PAIR, this.end * PAIR), latest: this.latest };
  }

  /** Rebuilds from a snapshot; the running sums are recomputed exactly. */
  static restore(
    windowLengthsMs: readonly number[],
    retentionMs: number,
    maxEvents: number,
    snap: { events: Float64Array; latest: number },
  ): EventWindows {
    const pairs = snap.events.length / PAIR;
    const w = new EventWindows(windowLengthsMs, retentionMs, maxEvents, Math.max(4, pairs));
    w.events.set(snap.events);
    w.end = pairs;
    w.latest = snap.latest;
    for (let k = 0; k < windowLengthsMs.length; k++) {
      const cutoff = w.latest - windowLengthsMs[k]!;
      let start = 0;
      while (start < w.end && w.events[start * PAIR]! <= cutoff) start++;
      w.starts[k] = start;
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
