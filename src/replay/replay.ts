/**
 * Backtest: streams a labelled file through the full engine in file order (which must be timestamp order, as a
 * ledger export is), revealing each label only `labelDelayMs` after its transaction, retraining the models on
 * what was known at each retrain point, and measuring how well the decisions ranked the fraud.
 */
import type { CurrencySettings } from '../engine/currency-settings.ts';
import { Engine } from '../engine/engine.ts';
import { FEATURE_COUNT } from '../engine/features/catalog.ts';
import type { ModelSlot } from '../engine/model.ts';
import { compileRules, loadDefaultRules, type CompiledRuleSet } from '../engine/rules/index.ts';
import { formatErrors } from '../engine/transaction.ts';
import type { ColumnMap } from '../ingest/column-map.ts';
import type { ReadProgress } from '../ingest/file-records.ts';
import { labelledRows } from '../ingest/labelled-rows.ts';
import { FeatureHistory } from '../training/feature-history.ts';
import { trainGbdt, trainIsolationForest, withAnomalyScores } from '../training/trainers.ts';
import { ReplayScores } from './replay-scores.ts';
import { ScoresWriter } from './scores-writer.ts';

const DAY_MS = 86_400_000;

export interface ReplayOptions {
  file: string;
  map: ColumnMap;
  labelDelayMs: number;
  retrainEveryMs: number;
  /** How far back the supervised training set reaches (in labelled time). */
  trainWindowMs: number;
  /** Time from the first transaction to the first retrain point. */
  warmupMs: number;
  useIforest: boolean;
  useGbdt: boolean;
  useRules: boolean;
  /** The rules scored with when useRules (a file given to `replay --rules`); default: the shipped rules. */
  rules?: CompiledRuleSet;
  scoresOut?: string;
  maxErrors: number;
  seed: number;
  /** Called about twice a second with rows done and the read progress. */
  onProgress?: (rows: number, progress: ReadProgress) => void;
  /** Called for each bad row (line, message). */
  onBadRow?: (line: number, message: string) => void;
  /** DEFAULT_CURRENCY and the FX table (default: USD, amounts as they are), for validation and features. */
  currency?: CurrencySettings;
}

export interface ReplayResult {
  rows: number;
  frauds: number;
  bad_rows: number;
  auc_roc: number;
  average_precision: number;
  card_precision_at_100: number;
  review_threshold: number;
  precision: number;
  recall: number;
  false_positive_rate: number;
  /**
   * The same ranking metrics over the rows scored after the first retrain point only: before it no model
   * exists yet, and on a short file those rows would dominate the figures.
   */
  after_warmup: {
    rows: number;
    frauds: number;
    auc_roc: number;
    average_precision: number;
    card_precision_at_100: number;
  };
  retrains: number;
  models: string;
  rules: boolean;
  /** Version of the rules document scored with; null without rules. */
  rules_version: string | null;
  label_delay_days: number;
  tps: number;
  elapsed_s: number;
}

function emptyRules(): CompiledRuleSet {
  const r = compileRules({ version: 'none', rules: [] });
  if (!r.ok) throw new Error(formatErrors(r.errors));
  return r.value;
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const engine = new Engine({
    rules: options.useRules ? (options.rules ?? loadDefaultRules()) : emptyRules(),
    labelDelayMs: options.labelDelayMs,
    recentTransactions: 0,
    currency: options.currency,
  });
  const history = new FeatureHistory(FEATURE_COUNT);
  const scores = new ReplayScores();
  const afterWarmup = new ReplayScores();
  let warmupEnd = NaN;
  const writer = options.scoresOut ? new ScoresWriter(options.scoresOut) : null;
  const progress: ReadProgress = { bytes: 0 };
  let retrains = 0;
  let nextRetrain = NaN;
  let lastProgress = 0;
  let iforest: ModelSlot | null = null;
  let gbdt: ModelSlot | null = null;

  const retrain = (now: number): void => {
    retrains++;
    // Rows whose labels are known by `now` are those at least one label delay old.
    const labelledTo = now - options.labelDelayMs;
    history.dropBefore(Math.min(labelledTo - options.trainWindowMs, now - options.trainWindowMs));
    if (options.useIforest) {
      const sample = history.sample(now - options.trainWindowMs, now, 50_000);
      if (sample.n >= 256) {
        iforest = { model: trainIsolationForest(sample.X, sample.n, options.seed + retrains), weight: 1 };
      }
    }
    if (options.useGbdt) {
      const set = history.labelled(
        labelledTo - options.trainWindowMs,
        labelledTo,
        1,
        options.seed + retrains,
      );
      withAnomalyScores(set.X, set.n, iforest?.model ?? null);
      const model = trainGbdt(set.X, set.y, set.n, options.seed + retrains);
      if (model !== null) gbdt = { model, weight: 1 };
    }
    const slots: ModelSlot[] = [];
    if (gbdt) slots.push(gbdt);
    if (iforest) slots.push({ model: iforest.model, weight: gbdt ? 0.25 : 1 });
    engine.setModels(slots);
  };

  const counter = { bad: 0 };
  try {
    const rows = labelledRows(
      {
        file: options.file,
        map: options.map,
        maxErrors: options.maxErrors,
        progress,
        onBadRow: options.onBadRow,
        currency: engine.currency,
      },
      counter,
    );
    for await (const { tx, label } of rows) {
      if (Number.isNaN(nextRetrain)) {
        nextRetrain = tx.timestamp + options.warmupMs;
        warmupEnd = nextRetrain;
      }
      while (tx.timestamp >= nextRetrain) {
        retrain(nextRetrain);
        nextRetrain += options.retrainEveryMs;
      }
      const decision = engine.score(tx);
      scores.add(decision.score, label, Math.floor(tx.timestamp / DAY_MS), tx.account_id);
      if (tx.timestamp >= warmupEnd) {
        afterWarmup.add(decision.score, label, Math.floor(tx.timestamp / DAY_MS), tx.account_id);
      }
      writer?.write(tx.transaction_id, decision.score, decision.outcome);
      history.push(tx.timestamp, engine.features, label);
      // The truth becomes known to merchant risk one label delay after the transaction, never earlier.
      engine.feedbackTransaction(tx, label === 1);
      if (options.onProgress && (scores.size & 4095) === 0) {
        const now = performance.now();
        if (now - lastProgress > 500) {
          lastProgress = now;
          options.onProgress(scores.size, progress);
        }
      }
    }
  } finally {
    await writer?.close();
  }

  const elapsed = (performance.now() - started) / 1000;
  const threshold = engine.decisionSettings.thresholds.review;
  const m = scores.metrics(threshold, 100);
  const w = afterWarmup.metrics(threshold, 100);
  return {
    rows: scores.size,
    frauds: scores.frauds,
    bad_rows: counter.bad,
    auc_roc: round(m.auc),
    average_precision: round(m.ap),
    card_precision_at_100: round(m.cardPrecision),
    review_threshold: threshold,
    precision: round(m.precision),
    recall: round(m.recall),
    false_positive_rate: round(m.fpr),
    after_warmup: {
      rows: afterWarmup.size,
      frauds: afterWarmup.frauds,
      auc_roc: round(w.auc),
      average_precision: round(w.ap),
      card_precision_at_100: round(w.cardPrecision),
    },
    retrains,
    models:
      [options.useIforest ? 'iforest' : '', options.useGbdt ? 'gbdt' : ''].filter(Boolean).join(',') ||
      'none',
    rules: options.useRules,
    rules_version: options.useRules ? engine.rulesVersion : null,
    label_delay_days: options.labelDelayMs / DAY_MS,
    tps: Math.round(scores.size / elapsed),
    elapsed_s: Number(elapsed.toFixed(2)),
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(4)) : 0;
}
