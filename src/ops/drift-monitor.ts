/**
 * Live traffic against a model's training profile: the same bins, counted over a sliding window of decision
 * time (default 24 h, kept as 24 slots so the window slides an hour at a time), and the population stability
 * index per input and for the score, over the window and per slot for the score (its history). `observe` runs
 * once per decision, so it allocates nothing and costs one binary search per monitored column; the indexes
 * are computed when read.
 */
import { binOf, type DriftProfile } from '../models/drift-profile.ts';
import { populationStabilityIndex } from './population-stability.ts';

export const DEFAULT_DRIFT_WINDOW_MS = 24 * 3_600_000;
const SLOTS = 24;

/** The score's index over one slot of the window (a slot is window / 24: an hour of the default day). */
export interface DriftHistoryPoint {
  /** When the slot begins, ISO 8601. */
  start: string;
  /** Decisions counted in the slot; an index over few of them is high by chance (about bins / decisions). */
  decisions: number;
  score_psi: number;
}

export interface DriftReport {
  model_version: string;
  window_ms: number;
  /** Decisions counted in the window. */
  observed: number;
  score_psi: number;
  features: { feature: string; psi: number }[];
  /** The slots of the window that counted decisions, oldest first. */
  history: DriftHistoryPoint[];
}

export class DriftMonitor {
  private readonly slotMs: number;
  /** Per column, where its bins start in a slot's counts; the score's bins come last. */
  private readonly offsets: Int32Array;
  private readonly edges: Float64Array[];
  /** The engine column of each profiled feature (its index in the decision's feature vector). */
  private readonly vectorColumns: Int32Array;
  private readonly width: number;
  private readonly counts: Float64Array[];
  private readonly rows = new Float64Array(SLOTS);
  /** The slot number (time / slotMs) that `current` holds, or -1 before the first observation. */
  private currentSlot = -1;

  /**
   * `columnOf` maps a profiled feature's name to its index in the vectors `observe` is given; a feature the
   * vector does not have is an error (the artifact was checked against the catalog when it loaded).
   */
  constructor(
    readonly modelVersion: string,
    private readonly profile: DriftProfile,
    columnOf: (feature: string) => number,
    readonly windowMs = DEFAULT_DRIFT_WINDOW_MS,
  ) {
    this.slotMs = Math.max(1, Math.ceil(windowMs / SLOTS));
    const all = [...profile.columns, profile.score];
    this.offsets = new Int32Array(all.length);
    let width = 0;
    all.forEach((c, i) => {
      this.offsets[i] = width;
      width += c.shares.length;
    });
    this.width = width;
    this.edges = all.map((c) => Float64Array.from(c.edges));
    this.vectorColumns = Int32Array.from(
      profile.columns.map((c) => {
        const column = columnOf(c.name);
        if (!(column >= 0)) throw new Error(`drift profile: feature ${c.name} is not in the feature vector`);
        return column;
      }),
    );
    this.counts = Array.from({ length: SLOTS }, () => new Float64Array(width));
  }

  /** Counts one decision: its feature vector, its score and when it was decided (epoch ms). */
  observe(vector: ArrayLike<number>, score: number, at: number): void {
    const slot = this.advance(at);
    const counts = this.counts[slot % SLOTS]!;
    const columns = this.vectorColumns.length;
    for (let c = 0; c < columns; c++) {
      counts[this.offsets[c]! + binOf(this.edges[c]!, vector[this.vectorColumns[c]!]!)]!++;
    }
    counts[this.offsets[columns]! + binOf(this.edges[columns]!, score)]!++;
    this.rows[slot % SLOTS]!++;
  }

  /** The window's indexes as of `now` (slots older than the window no longer count). */
  report(now: number): DriftReport {
    this.advance(now);
    const total = new Float64Array(this.width);
    let observed = 0;
    for (let s = 0; s < SLOTS; s++) {
      observed += this.rows[s]!;
      const slot = this.counts[s]!;
      for (let i = 0; i < this.width; i++) total[i]! += slot[i]!;
    }
    const columns = this.profile.columns;
    const scoreOffset = this.offsets[columns.length]!;
    return {
      model_version: this.modelVersion,
      window_ms: this.windowMs,
      observed,
      score_psi: populationStabilityIndex(this.profile.score.shares, total, scoreOffset),
      features: columns.map((c, i) => ({
        feature: c.name,
        psi: populationStabilityIndex(c.shares, total, this.offsets[i]!),
      })),
      history: this.history(scoreOffset),
    };
  }

  /** The score's index per slot that counted decisions, oldest first (`advance` has cleared the stale ones). */
  private history(scoreOffset: number): DriftHistoryPoint[] {
    const points: DriftHistoryPoint[] = [];
    if (this.currentSlot < 0) return points;
    for (let slot = Math.max(0, this.currentSlot - SLOTS + 1); slot <= this.currentSlot; slot++) {
      const decisions = this.rows[slot % SLOTS]!;
      if (decisions === 0) continue;
      points.push({
        start: new Date(slot * this.slotMs).toISOString(),
        decisions,
        score_psi: populationStabilityIndex(
          this.profile.score.shares,
          this.counts[slot % SLOTS]!,
          scoreOffset,
        ),
      });
    }
    return points;
  }

  /**
   * Moves the window to the slot of `at`, clearing the slots it passes; returns the slot to count in. A time
   * before the current slot (a late clock) counts in the current one rather than rewriting the past.
   */
  private advance(at: number): number {
    const slot = Math.floor(at / this.slotMs);
    if (slot <= this.currentSlot) return this.currentSlot;
    if (this.currentSlot < 0 || slot - this.currentSlot >= SLOTS) {
      for (let s = 0; s < SLOTS; s++) this.clear(s);
    } else {
      for (let s = this.currentSlot + 1; s <= slot; s++) this.clear(s % SLOTS);
    }
    this.currentSlot = slot;
    return slot;
  }

  private clear(index: number): void {
    this.counts[index]!.fill(0);
    this.rows[index] = 0;
  }
}
