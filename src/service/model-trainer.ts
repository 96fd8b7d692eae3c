/**
 * Trains the isolation forest and the GBDT on what the store holds (src/training/store-training-set.ts: the
 * window before the cut-off, labels as known by then) and registers them as challengers, never in force. One run
 * at a time on the store, for every process on it (the store's claim); the trees grow in a thread of their own
 * (train-off-thread.ts), so the thread deciding transactions only reads the store's pages and hands them over.
 * Every outcome, a failure included, is recorded as the run's status: nothing is thrown at the caller.
 */
import { randomUUID } from 'node:crypto';
import {
  TRAINING_RUN_EXPIRY_MS,
  type DecisionStore,
  type TrainingRunRecord,
  type TrainingRunResult,
  type TrainingTrigger,
} from '../store/types.ts';
import { trainingSetFromStore, type StoreTrainingSet } from '../training/store-training-set.ts';
import { trainOffThread } from '../training/train-off-thread.ts';
import type { TrainedArtifacts, TrainingJob } from '../training/train-models.ts';

/** Where trained artifacts go: the model registry (ModelRegistry.registerTrained), as challengers. */
export interface TrainedModelSink {
  registerTrained(trained: TrainedArtifacts, actor: string, at: number): Promise<string[]>;
}

export interface ModelTrainerOptions {
  /** A decision without a verdict counts as legitimate once this old (chargebacks come within it). */
  labelDelayMs: number;
  /** Labelled frauds a run needs; with fewer it is skipped (RETRAIN_MIN_LABELS). */
  minFrauds: number;
  /** The window when a caller names none (TRAIN_WINDOW). */
  defaultWindowMs: number;
  /** The clock runs are ended by (tests hold simulated days). */
  clock?: () => number;
  /** Runs the job; default: in a thread of its own. */
  train?: (job: TrainingJob) => Promise<TrainedArtifacts>;
  /** Newest decisions a run reads at most. */
  maxRows?: number;
  log?: (line: string) => void;
}

/** What a finished run learned, beyond its stored figures: each artifact's own validation metrics. */
export interface TrainingOutcome {
  run: TrainingRunRecord;
  /** Artifact id → its metrics (validation AUC, AP, logloss as the artifact records them). */
  metrics: Record<string, Record<string, number>>;
  /** Decided too recently to assume a label, and not labelled yet: left out. */
  awaitingLabel: number;
}

export type TrainingStart =
  | { started: true; run: TrainingRunRecord; finished: Promise<TrainingOutcome> }
  | { started: false; running: TrainingRunRecord };

/** The GBDT cannot learn from fewer (trainers.ts); RETRAIN_MIN_LABELS below it would still skip. */
export const GBDT_MIN_FRAUDS = 20;

export class ModelTrainer {
  private readonly clock: () => number;
  private readonly runJob: (job: TrainingJob) => Promise<TrainedArtifacts>;
  private readonly log: (line: string) => void;

  constructor(
    private readonly store: DecisionStore,
    private readonly models: TrainedModelSink,
    readonly options: ModelTrainerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.runJob = options.train ?? trainOffThread;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Claims the store's one training slot and starts a run with cut-off `now`; `finished` settles when it is
   * recorded (it never rejects). Not started when a run is going on (here or in another process).
   */
  async start(
    trigger: TrainingTrigger,
    actor: string,
    windowMs: number = this.options.defaultWindowMs,
    now: number = this.clock(),
  ): Promise<TrainingStart> {
    const run: TrainingRunRecord = {
      id: `train-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
      trigger,
      status: 'running',
      started_at: now,
      finished_at: null,
      actor,
      window_ms: windowMs,
      cutoff: now,
      result: { decisions: 0, labels: { fraud: 0, legit: 0, assumed_legit: 0 }, produced: [], message: null },
    };
    const claim = await this.store.claimTrainingRun(run, now - TRAINING_RUN_EXPIRY_MS, {
      at: now,
      actor,
      action: 'model_train',
      transaction_id: null,
      old_value: null,
      new_value: run.id,
      note: `trigger ${trigger}, window ${windowMs} ms`,
    });
    if (!claim.claimed) return { started: false, running: claim.running };
    this.log(`training ${run.id} started (${trigger}, by ${actor})`);
    return { started: true, run, finished: this.complete(run) };
  }

  /** `start`, then waits for the run's end. */
  async train(
    trigger: TrainingTrigger,
    actor: string,
    windowMs: number = this.options.defaultWindowMs,
    now: number = this.clock(),
  ): Promise<TrainingOutcome | { started: false; running: TrainingRunRecord }> {
    const started = await this.start(trigger, actor, windowMs, now);
    return started.started ? started.finished : started;
  }

  private async complete(run: TrainingRunRecord): Promise<TrainingOutcome> {
    let figures: TrainingRunResult = run.result;
    let awaitingLabel = 0;
    let outcome: { status: 'done' | 'failed' | 'skipped'; result: TrainingRunResult };
    const metrics: Record<string, Record<string, number>> = {};
    try {
      const set = await trainingSetFromStore(this.store, {
        cutoff: run.cutoff,
        windowMs: run.window_ms,
        labelDelayMs: this.options.labelDelayMs,
        maxRows: this.options.maxRows,
        seed: run.cutoff % 1_000_000,
      });
      figures = figuresOf(set);
      awaitingLabel = set.awaitingLabel;
      const minFrauds = Math.max(this.options.minFrauds, GBDT_MIN_FRAUDS);
      const legit = set.verdicts.legit + set.assumedLegit;
      if (set.verdicts.fraud < minFrauds) {
        outcome = {
          status: 'skipped',
          result: { ...figures, message: tooFew(set.verdicts.fraud, minFrauds) },
        };
      } else if (legit < minFrauds) {
        // A window shorter than the label delay has no decision old enough to count as legitimate.
        outcome = {
          status: 'skipped',
          result: {
            ...figures,
            message: `${legit} legitimate labels in the window (verdicts, or older than the label delay), ${minFrauds} needed`,
          },
        };
      } else {
        const trained = await this.runJob(set.job);
        if (trained.gbdt === null) {
          // The pair goes together (the GBDT learned from this forest's scores): half of it is not registered.
          outcome = {
            status: 'skipped',
            result: {
              ...figures,
              message: 'the GBDT found too few frauds to learn from; nothing registered',
            },
          };
        } else {
          const produced = await this.models.registerTrained(trained, run.actor, this.clock());
          for (const artifact of [trained.iforest, trained.gbdt])
            metrics[String(artifact.version)] = artifactMetrics(artifact);
          outcome = { status: 'done', result: { ...figures, produced } };
        }
      }
    } catch (e) {
      outcome = { status: 'failed', result: { ...figures, message: (e as Error).message } };
    }
    const finishedAt = this.clock();
    const finished: TrainingRunRecord = { ...run, ...outcome, finished_at: finishedAt };
    try {
      if (!(await this.store.finishTrainingRun(run.id, outcome.status, outcome.result, finishedAt)))
        this.log(
          `training ${run.id}: its run was no longer running (abandoned?); its result is not recorded`,
        );
    } catch (e) {
      this.log(`training ${run.id}: could not record its end: ${(e as Error).message}`);
    }
    this.log(
      `training ${run.id} ${outcome.status}` +
        (outcome.result.produced.length > 0 ? `: ${outcome.result.produced.join(', ')}` : '') +
        (outcome.result.message !== null ? ` (${outcome.result.message})` : ''),
    );
    return { run: finished, metrics, awaitingLabel };
  }
}

const tooFew = (frauds: number, needed: number): string =>
  `${frauds} labelled frauds in the window, ${needed} needed (RETRAIN_MIN_LABELS)`;

function figuresOf(set: StoreTrainingSet): TrainingRunResult {
  return {
    decisions: set.decisions,
    labels: { fraud: set.verdicts.fraud, legit: set.verdicts.legit, assumed_legit: set.assumedLegit },
    produced: [],
    message: null,
  };
}

function artifactMetrics(artifact: Record<string, unknown>): Record<string, number> {
  const m = artifact.metrics;
  if (typeof m !== 'object' || m === null) return {};
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
