/**
 * What `train` says about the models it wrote: each one's figures on the most recent fifth of the training file,
 * and plainly that those rows are the file's own (the GBDT stopped early and was calibrated on them), so they are
 * no backtest; `replay` gives the honest figure.
 */
import { FEATURE_COUNT } from '../engine/features/catalog.ts';
import type { Gbdt } from '../models/gbdt.ts';
import type { IsolationForest } from '../models/isolation-forest.ts';
import { averagePrecision, rocAuc } from '../models/metrics.ts';

export interface ModelValidation {
  model: 'iforest' | 'gbdt';
  rows: number;
  auc_roc?: number;
  average_precision?: number;
  logloss?: number;
}

const round = (x: number | undefined): number | undefined =>
  x === undefined || !Number.isFinite(x) ? undefined : Number(x.toFixed(4));

/** The anomaly model scored on the last fifth of the labelled rows (time order); it never saw their labels. */
export function iforestValidation(
  model: IsolationForest,
  set: { X: Float64Array; y: Uint8Array; n: number },
): ModelValidation {
  const from = Math.floor(set.n * 0.8);
  const scores = new Float64Array(set.n - from);
  const labels = set.y.subarray(from, set.n);
  for (let i = from; i < set.n; i++)
    scores[i - from] = model.predict(set.X.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
  const oneClass = labels.every((y) => y === labels[0]);
  return {
    model: 'iforest',
    rows: scores.length,
    auc_roc: oneClass ? undefined : round(rocAuc(scores, labels)),
    average_precision: oneClass ? undefined : round(averagePrecision(scores, labels)),
  };
}

/** The GBDT's own figures on its early-stopping rows (the most recent fifth of what it was given). */
export function gbdtValidation(model: Gbdt): ModelValidation {
  const m = model.metrics;
  return {
    model: 'gbdt',
    rows: m.validation_rows ?? 0,
    auc_roc: round(m.validation_auc),
    average_precision: round(m.validation_average_precision),
    logloss: round(m.validation_logloss),
  };
}

export const VALIDATION_NOTE =
  "measured on the training file's own last fifth (the GBDT's early-stopping and calibration rows), not a backtest: it flatters the models";

/** The lines for the operator: one per model, the note, and the command that measures it honestly. */
export function validationLines(results: readonly ModelValidation[], replayCommand: string): string[] {
  const figure = (name: string, v: number | undefined) => (v === undefined ? '' : ` ${name} ${v}`);
  return [
    ...results.map(
      (r) =>
        `${r.model}: validation on ${r.rows} rows:` +
        (figure('AUC', r.auc_roc) + figure('AP', r.average_precision) + figure('logloss', r.logloss) ||
          ' no figure (the rows hold one class only)'),
    ),
    `these figures are ${VALIDATION_NOTE}; an honest figure, with delayed labels and retraining: ${replayCommand}`,
  ];
}
