/**
 * Scoring latency per five minutes for the last week, as log-scale histograms (1.5 MB), so the overview can show p50/p95/p99
 * for the last hour, day or week without storing a duration per decision. Kept in memory by each process:
 * it starts empty at every start (the overview says since when it covers).
 */

/** Bins grow by 2^(1/8) (about 9 %) from 1 µs: a percentile is exact to within one bin. */
const BINS_PER_DOUBLING = 8;
const BIN_COUNT = 8 * 24; // 1 µs .. 2^24 µs ≈ 16.8 s
const SLOT_MS = 5 * 60_000;

export class LatencyHistory {
  private readonly counts: Uint32Array;
  /** The period each ring slot holds (epoch ms / SLOT_MS); a slot is cleared when a newer period reuses it. */
  private readonly periodOf: Float64Array;
  readonly startedAt: number;

  constructor(
    readonly slots = (7 * 24 * 60 * 60_000) / SLOT_MS,
    now = Date.now(),
  ) {
    this.counts = new Uint32Array(slots * BIN_COUNT);
    this.periodOf = new Float64Array(slots).fill(-1);
    this.startedAt = now;
  }

  static binOf(seconds: number): number {
    const micros = seconds * 1e6;
    if (!(micros > 1)) return 0;
    return Math.min(BIN_COUNT - 1, Math.floor(Math.log2(micros) * BINS_PER_DOUBLING));
  }

  /** Upper edge of a bin, in seconds. */
  static binUpper(bin: number): number {
    return 2 ** ((bin + 1) / BINS_PER_DOUBLING) / 1e6;
  }

  record(at: number, seconds: number): void {
    const period = Math.floor(at / SLOT_MS);
    const slot = period % this.slots;
    if (this.periodOf[slot] !== period) {
      this.counts.fill(0, slot * BIN_COUNT, (slot + 1) * BIN_COUNT);
      this.periodOf[slot] = period;
    }
    this.counts[slot * BIN_COUNT + LatencyHistory.binOf(seconds)]!++;
  }

  /**
   * Percentiles (seconds, upper bin edge) of what was recorded in the five-minute periods overlapping [from, to);
   * null when nothing was.
   */
  percentiles(from: number, to: number, ps: readonly number[]): { count: number; values: (number | null)[] } {
    const merged = new Float64Array(BIN_COUNT);
    const first = Math.floor(from / SLOT_MS);
    const last = Math.ceil(to / SLOT_MS) - 1;
    for (let slot = 0; slot < this.slots; slot++) {
      const period = this.periodOf[slot]!;
      if (period < first || period > last) continue;
      for (let b = 0; b < BIN_COUNT; b++) merged[b]! += this.counts[slot * BIN_COUNT + b]!;
    }
    let count = 0;
    for (let b = 0; b < BIN_COUNT; b++) count += merged[b]!;
    const values = ps.map((p) => {
      if (count === 0) return null;
      const rank = Math.max(1, Math.ceil(p * count));
      let seen = 0;
      for (let b = 0; b < BIN_COUNT; b++) {
        seen += merged[b]!;
        if (seen >= rank) return LatencyHistory.binUpper(b);
      }
      return LatencyHistory.binUpper(BIN_COUNT - 1);
    });
    return { count, values };
  }
}
