/**
 * How each model version ranks the live traffic whose labels are now known (issue 13, "live comparison").
 * The types are fixed here so the registry (auto-promotion), /metrics and the dashboard agree; `LiveModelMonitor`
 * computes the report off the request path, from the store's compact decision rows (the deciding set's score and
 * the shadow set's) and the labels known at the time (known-labels.ts, the one source of labels).
 */
import type { Engine } from '../engine/engine.ts';
import { averagePrecision, rocAuc } from '../models/metrics.ts';
import type { DecidedCursor, DecisionStore } from '../store/types.ts';
import { knownLabels, type KnownLabel } from '../training/known-labels.ts';

/** One model set (a decision's `model_version`, e.g. `iforest-…+gbdt-…`) over the labelled decisions of the window. */
export interface LiveModelMetrics {
  model_version: string;
  /** What it is now: the set in force, the challenger set, or neither (an older set that decided in the window). */
  role: 'champion' | 'challenger' | 'other';
  /** Decisions it scored in the window (deciding or in the shadow). */
  decisions: number;
  /** Share of those at or above the review threshold. */
  alert_rate: number | null;
  /** Decisions of the window with a known label, and how many of them are fraud. */
  labels: number;
  positives: number;
  auc: number | null;
  average_precision: number | null;
  /** At the review threshold in force. */
  precision: number | null;
  recall: number | null;
}

export interface LiveModelReport {
  /** When it was computed, epoch ms, and the window [from, to) of decisions it covers. */
  computed_at: number;
  from: number;
  to: number;
  review_threshold: number;
  models: LiveModelMetrics[];
  /** The same figures per day of the window (oldest first), for the dashboard's "over time". */
  daily: { day: string; models: LiveModelMetrics[] }[];
}

export const DEFAULT_LIVE_METRICS_WINDOW_MS = 30 * 86_400_000;
/** How often serve and worker recompute the report (env LIVE_METRICS_INTERVAL_MS). */
export const DEFAULT_LIVE_METRICS_INTERVAL_MS = 60_000;

/**
 * Rows read from the store a page at a time, with a pause between pages, so a long window never holds the store
 * or the event loop long (the embedded store answers each page synchronously, on the serving thread).
 */
const PAGE = 1000;

/** What one model version saw: every decision's count, and the score and label of the labelled ones. */
class Tally {
  decisions = 0;
  alerts = 0;
  readonly scores: number[] = [];
  readonly labels: number[] = [];
  positives = 0;
  truePositives = 0;
  flaggedLabelled = 0;

  add(score: number, threshold: number, label: KnownLabel | undefined): void {
    this.decisions++;
    const flagged = score >= threshold;
    if (flagged) this.alerts++;
    if (label === undefined) return;
    this.scores.push(score);
    this.labels.push(label.fraud ? 1 : 0);
    if (label.fraud) this.positives++;
    if (flagged) {
      this.flaggedLabelled++;
      if (label.fraud) this.truePositives++;
    }
  }

  metrics(model_version: string, role: LiveModelMetrics['role']): LiveModelMetrics {
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const labelled = this.scores.length;
    return {
      model_version,
      role,
      decisions: this.decisions,
      alert_rate: this.decisions > 0 ? this.alerts / this.decisions : null,
      labels: labelled,
      positives: this.positives,
      auc: labelled > 0 ? finite(rocAuc(this.scores, this.labels)) : null,
      average_precision: labelled > 0 ? finite(averagePrecision(this.scores, this.labels)) : null,
      // Null rather than 0 where nothing defines them: no labelled alert, no known fraud.
      precision: this.flaggedLabelled > 0 ? this.truePositives / this.flaggedLabelled : null,
      recall: this.positives > 0 ? this.truePositives / this.positives : null,
    };
  }
}

const ROLE_ORDER = { champion: 0, challenger: 1, other: 2 } as const;

export class LiveModelMonitor {
  private report: LiveModelReport | null = null;
  private running: Promise<LiveModelReport> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly store: DecisionStore,
    readonly windowMs = DEFAULT_LIVE_METRICS_WINDOW_MS,
  ) {}

  /** The last report computed; null before the first refresh has finished. */
  latest(): LiveModelReport | null {
    return this.report;
  }

  /**
   * Computes the report over the decisions of [now - window, now) with the labels known at `now`. A refresh asked
   * while one is running gets that one's report: they never overlap.
   */
  refresh(now: number): Promise<LiveModelReport> {
    if (this.running !== null) return this.running;
    const running = this.compute(now).then((report) => {
      this.report = report;
      return report;
    });
    this.running = running;
    const clear = (): void => {
      if (this.running === running) this.running = null;
    };
    running.then(clear, clear);
    return running;
  }

  /** Refreshes now and every `intervalMs` (an unref'd timer: it never keeps the process alive). */
  start(
    intervalMs = DEFAULT_LIVE_METRICS_INTERVAL_MS,
    now: () => number = Date.now,
    log = console.error,
  ): void {
    this.stop();
    const tick = (): void => {
      this.refresh(now()).catch((e: unknown) =>
        log(`live model metrics: refresh failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async compute(now: number): Promise<LiveModelReport> {
    const from = now - this.windowMs;
    const threshold = this.engine.decisionSettings.thresholds.review;
    const labels = await knownLabels(this.store, now);
    const overall = new Map<string, Tally>();
    const byDay = new Map<string, Map<string, Tally>>();
    const tally = (tallies: Map<string, Tally>, version: string): Tally => {
      let t = tallies.get(version);
      if (t === undefined) {
        t = new Tally();
        tallies.set(version, t);
      }
      return t;
    };
    let after: DecidedCursor | null = null;
    let dayStart = NaN;
    let day: Map<string, Tally> | undefined;
    for (;;) {
      const page = await this.store.modelScoresBetween(from, now, after, PAGE);
      for (const row of page) {
        // Rows come in decision order: the day changes rarely, so its key is built once per day.
        if (!(row.decided_at >= dayStart && row.decided_at < dayStart + 86_400_000)) {
          dayStart = Math.floor(row.decided_at / 86_400_000) * 86_400_000;
          const key = new Date(dayStart).toISOString().slice(0, 10);
          day = byDay.get(key);
          if (day === undefined) byDay.set(key, (day = new Map()));
        }
        const label = labels.get(row.transaction_id);
        if (row.model_version !== null) {
          tally(overall, row.model_version).add(row.score, threshold, label);
          tally(day!, row.model_version).add(row.score, threshold, label);
        }
        if (row.shadow_version !== null && row.shadow_score !== null) {
          tally(overall, row.shadow_version).add(row.shadow_score, threshold, label);
          tally(day!, row.shadow_version).add(row.shadow_score, threshold, label);
        }
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { decided_at: last.decided_at, transaction_id: last.transaction_id };
      // a resolved promise never lets the event loop run: without this, a month of rows holds decisions for a second
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      computed_at: now,
      from,
      to: now,
      review_threshold: threshold,
      models: this.metricsOf(overall),
      daily: [...byDay.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, tallies]) => ({ day: key, models: this.metricsOf(tallies) })),
    };
  }

  /** Each version's figures, the champion first, then the challenger, then older sets by decisions. */
  private metricsOf(tallies: Map<string, Tally>): LiveModelMetrics[] {
    const champion = this.engine.championVersion;
    const challenger = this.engine.challengerVersion;
    const roleOf = (version: string): LiveModelMetrics['role'] =>
      version === champion ? 'champion' : version === challenger ? 'challenger' : 'other';
    return [...tallies.entries()]
      .map(([version, t]) => t.metrics(version, roleOf(version)))
      .sort(
        (a, b) =>
          ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
          b.decisions - a.decisions ||
          (a.model_version < b.model_version ? -1 : 1),
      );
  }
}
