/**
 * When serve retrains by itself: every `everyMs` since the last successful run from the store, and early when
 * the alerts labelled since then show a precision below the floor (retrain-policy.ts). `tick(now)` decides and
 * trains; serve calls it every check interval. The state lives in the store (the runs), so a restart does not
 * retrain at once and several serves on one store train once (the claim; the others find a run going on).
 *
 * A run that did not succeed (skipped for too few labels, failed) is not retried by the schedule for
 * `retryAfterMs` (a day): a fresh install, due at once and short of labels, records one skipped run a day
 * instead of one every check.
 */
import type { DecisionStore, TrainingRunRecord } from '../store/types.ts';
import type { ModelTrainer, TrainingOutcome } from './model-trainer.ts';
import { alertPrecision, retrainDue, type RetrainPolicy, type RetrainReason } from './retrain-policy.ts';

export interface RetrainSchedulerOptions {
  /** everyMs Infinity: no schedule (RETRAIN_EVERY=off); a precision drop still retrains. */
  policy: RetrainPolicy;
  /** How far back a scheduled run trains (TRAIN_WINDOW). */
  windowMs: number;
  /** The review threshold in force: alerts are scores at or above it. */
  reviewThreshold: () => number;
  retryAfterMs?: number;
  log?: (line: string) => void;
}

export const RETRY_AFTER_UNSUCCESSFUL_MS = 86_400_000;

export type TickResult =
  | { action: 'none' }
  | { action: 'busy'; running: TrainingRunRecord }
  /** The last scheduled run was skipped or failed less than retryAfterMs ago. */
  | { action: 'waiting'; last: TrainingRunRecord }
  | { action: 'trained'; due: RetrainReason; outcome: TrainingOutcome };

export class RetrainScheduler {
  private ticking: Promise<TickResult> | null = null;

  constructor(
    private readonly store: DecisionStore,
    private readonly trainer: ModelTrainer,
    private readonly options: RetrainSchedulerOptions,
  ) {}

  /** Decides whether to retrain at `now`, and does (waiting for the run's end). One tick at a time. */
  tick(now: number): Promise<TickResult> {
    this.ticking ??= this.check(now).finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async check(now: number): Promise<TickResult> {
    const { policy } = this.options;
    const [latest] = await this.store.listTrainingRuns(1);
    if (latest?.status === 'running') return { action: 'busy', running: latest };
    const retryAfter = this.options.retryAfterMs ?? RETRY_AFTER_UNSUCCESSFUL_MS;
    if (
      latest !== undefined &&
      (latest.trigger === 'schedule' || latest.trigger === 'precision') &&
      (latest.status === 'skipped' || latest.status === 'failed') &&
      now - latest.started_at < retryAfter
    )
      return { action: 'waiting', last: latest };
    const [lastDone] = await this.store.listTrainingRuns(1, 'done');
    // Without a schedule, "never trained" is no reason: only the precision can be.
    const lastTrainedAt = lastDone?.cutoff ?? (policy.everyMs === Infinity ? -Infinity : null);
    const scheduleDue =
      policy.everyMs !== Infinity && (lastTrainedAt === null || now - lastTrainedAt >= policy.everyMs);
    // Only labels that came after the last training judge the models: a drop already retrained for (whose
    // challengers nobody promoted yet) does not retrain again at every check.
    const windowMs = Math.min(policy.precisionWindowMs, now - (lastTrainedAt ?? -Infinity));
    const alerts = scheduleDue
      ? { labelled: 0, fraud: 0 }
      : await alertPrecision(this.store, now, windowMs, this.options.reviewThreshold());
    const due = retrainDue(now, lastTrainedAt === -Infinity ? now : lastTrainedAt, alerts, policy);
    if (due === null) return { action: 'none' };
    this.options.log?.(
      due.reason === 'schedule'
        ? 'retraining: scheduled'
        : `retraining: precision ${due.precision.toFixed(3)} on ${due.labelled} labelled alerts < ${policy.minPrecision}`,
    );
    const result = await this.trainer.train(due.reason, 'scheduler', this.options.windowMs, now);
    if ('started' in result) return { action: 'busy', running: result.running };
    return { action: 'trained', due, outcome: result };
  }

  /** Ticks every `everyMs` on the real clock (an unref'd timer: it keeps no process alive); returns the stop. */
  start(everyMs: number, clock: () => number = Date.now): () => void {
    const timer = setInterval(() => {
      this.tick(clock()).catch((e: Error) => this.options.log?.(`retrain check failed: ${e.message}`));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
