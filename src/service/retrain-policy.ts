/**
 * When a service retrains its models: on a schedule (the seeds' "every 7 days"), and early when the model in
 * force has grown worse, i.e. its precision at the review threshold over the labels of the recent window fell
 * below a floor (the seeds' "or when precision falls below 0.75"), once enough labels back that figure.
 */
import type { DecisionStore } from '../store/types.ts';
import { knownLabels } from '../training/known-labels.ts';

export interface RetrainPolicy {
  everyMs: number;
  precisionWindowMs: number;
  minPrecision: number;
  /** Labelled alerts the precision needs before it can trigger anything. */
  minLabels: number;
}

export const DEFAULT_RETRAIN_POLICY: RetrainPolicy = {
  everyMs: 7 * 86_400_000,
  precisionWindowMs: 7 * 86_400_000,
  minPrecision: 0.75,
  minLabels: 50,
};

/** Alerts (score at or above the review threshold) given a verdict in the window, and how many were fraud. */
export interface AlertPrecision {
  labelled: number;
  fraud: number;
}

export type RetrainReason =
  | { reason: 'schedule'; last_trained_at: number | null }
  | { reason: 'precision'; precision: number; labelled: number };

/** Why to retrain now, or null. `lastTrainedAt` null: never trained from the store. */
export function retrainDue(
  now: number,
  lastTrainedAt: number | null,
  alerts: AlertPrecision,
  policy: RetrainPolicy,
): RetrainReason | null {
  if (lastTrainedAt === null || now - lastTrainedAt >= policy.everyMs) {
    return { reason: 'schedule', last_trained_at: lastTrainedAt };
  }
  if (alerts.labelled >= policy.minLabels) {
    const precision = alerts.fraud / alerts.labelled;
    if (precision < policy.minPrecision) return { reason: 'precision', precision, labelled: alerts.labelled };
  }
  return null;
}

/**
 * Precision of the alerts whose verdict was given in (now − windowMs, now]: the latest verdict per
 * transaction, counted when the decision's score reached `reviewThreshold`.
 */
export async function alertPrecision(
  store: DecisionStore,
  now: number,
  windowMs: number,
  reviewThreshold: number,
): Promise<AlertPrecision> {
  const latest = new Map<string, boolean>();
  for (const [id, label] of await knownLabels(store, now))
    if (label.known_at > now - windowMs) latest.set(id, label.fraud);
  const decisions = await store.findDecisions([...latest.keys()]);
  let labelled = 0;
  let fraud = 0;
  for (const [id, isFraud] of latest) {
    const found = decisions.get(id);
    if (found === undefined || found.decision.score < reviewThreshold) continue;
    labelled++;
    if (isFraud) fraud++;
  }
  return { labelled, fraud };
}
