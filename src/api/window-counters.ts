/**
 * Request counters in fixed windows, one per caller, in bounded memory: past `capacity` callers the one used
 * least recently is forgotten, never all of them at once. A caller that keeps sending (an exhausted key, a
 * flood) stays the most recently used, so a flood of new callers evicts idle callers, not the busy ones.
 */
export interface WindowCount {
  count: number;
  /** Epoch ms at which this caller's window ends and its count starts again. */
  windowEnd: number;
}

export class WindowCounters {
  /** Map order is recency order: a hit moves its caller to the end, eviction takes the first. */
  private readonly counters = new Map<string, WindowCount>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity: must be >= 1');
  }

  /** Counts one request of `caller` at `at` and returns its count in the current window. */
  hit(caller: string, at: number): WindowCount {
    let counter = this.counters.get(caller);
    if (counter !== undefined) this.counters.delete(caller);
    if (counter === undefined || at >= counter.windowEnd)
      counter = { count: 0, windowEnd: at + this.windowMs };
    counter.count++;
    this.counters.set(caller, counter);
    if (this.counters.size > this.capacity) this.counters.delete(this.counters.keys().next().value!);
    return counter;
  }

  get size(): number {
    return this.counters.size;
  }
}
