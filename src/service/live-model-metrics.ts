/**
 * How each model version ranks the live traffic whose labels are now known (issue 13, "live comparison").
 * CONTRACT: the types are fixed here so the registry (auto-promotion), /metrics and the dashboard agree;
 * the shadow-scoring work builds `LiveModelMonitor` (computed off the request path from the store).
 */

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
