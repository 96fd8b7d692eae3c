/**
 * What the engine answers for a transaction, and the policy that turns scores into an outcome.
 *
 * Score formula (documented in docs/decisions.md):
 *   rule_score  = 1 - prod(1 - w_i)            over the fired scoring rules (noisy-OR, each w_i in [0,1])
 *   model_score = sum(weight_m * score_m) / sum(weight_m)   over the models that answered
 *   score       = 1 - (1 - rule_score) * (1 - model_score)
 * The outcome comes from the thresholds on `score`, unless a fired rule forces one; among forced outcomes the
 * most severe wins (decline > block_and_review > review > approve), so an allow list cannot rescue a blocked card.
 */

import type { SnoozedRule } from './rule-snoozes.ts';

export const OUTCOMES = ['approve', 'review', 'block_and_review', 'decline'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Severity order used when several forced outcomes compete. */
export function outcomeSeverity(outcome: Outcome): number {
  return OUTCOMES.indexOf(outcome);
}

export interface Thresholds {
  /** score >= review → review */
  review: number;
  /** score >= block_and_review → block_and_review */
  block_and_review: number;
  /** score >= decline → decline */
  decline: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { review: 0.5, block_and_review: 0.8, decline: 0.95 };

export interface DecisionSettings {
  thresholds: Thresholds;
  /** Approve everything with `bypass_score`, marking decisions `bypassed` (the runbooks' fraud-detector bypass). */
  bypass: boolean;
  bypass_score: number;
  /**
   * Every review and block_and_review decision is a hold (a blocking review: the caller waits for the analyst's
   * verdict, docs/decisions.md "Holds"). Optional: settings stored before issue 17 lack it (false).
   */
  hold_on_review?: boolean;
}

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  thresholds: DEFAULT_THRESHOLDS,
  bypass: false,
  bypass_score: 0,
  hold_on_review: false,
};

/**
 * Why a decision came out as it did: a fired rule, or a model's contributing feature. A model reason keeps the
 * machine fields (feature name, its value, the signed contribution) and says them in words (`text`, from
 * features/feature-labels.ts: the human name, the value with its unit, the comparison when one exists);
 * decisions stored before `text` existed lack it.
 */
export type Reason =
  | { kind: 'rule'; rule: string; reason: string; score: number; outcome?: Outcome; at_least?: Outcome }
  | { kind: 'model'; model: string; feature: string; value: number; contribution: number; text?: string };

/** Which model set decided: the champion set in force, or the challenger set (the A/B split, CHALLENGER_TRAFFIC). */
export type DecidedBy = 'champion' | 'challenger';

/**
 * The other model set's view of the same transaction (shadow scoring): the whole decision score it gives with
 * the same rules and features, and its `model_version`. It changes nothing about the decision.
 */
export interface ShadowScore {
  score: number;
  model_version: string | null;
}

/** Outcomes a hold applies to: the ones that open a case (approve and decline are final at once). */
export function holdable(outcome: Outcome): boolean {
  return outcome === 'review' || outcome === 'block_and_review';
}

export interface Decision {
  transaction_id: string;
  score: number;
  outcome: Outcome;
  reasons: Reason[];
  rule_score: number;
  model_score: number | null;
  model_version: string | null;
  rules_version: string;
  bypassed: boolean;
  degraded: boolean;
  /**
   * The engine always sets these two (issue 13); decisions stored before them lack them (decided by the champion,
   * no shadow). `shadow` is null while there is no challenger set, and in bypass mode.
   */
  decided_by?: DecidedBy;
  shadow?: ShadowScore | null;
  /**
   * A blocking review (issue 17): the outcome is review or block_and_review and the caller should wait for the
   * analyst's verdict (GET /api/v1/transactions/{id}, `hold`). The engine always sets it; older decisions lack it.
   */
  hold?: boolean;
  /** Fired rules skipped because a snooze mutes them for this transaction's entity; absent when none was. */
  snoozed_rules?: SnoozedRule[];
}

/** Checks thresholds are ordered and within [0,1]; returns a message or null. */
export function thresholdsProblem(t: Thresholds): string | null {
  for (const key of ['review', 'block_and_review', 'decline'] as const) {
    const v = t[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
      return `${key}: must be a number in [0,1]`;
  }
  if (!(t.review <= t.block_and_review && t.block_and_review <= t.decline)) {
    return 'thresholds must satisfy review <= block_and_review <= decline';
  }
  return null;
}

/** The score formula above: rules and models combined as independent evidence. */
export function combinedScore(ruleScore: number, modelScore: number | null): number {
  return modelScore === null ? ruleScore : 1 - (1 - ruleScore) * (1 - modelScore);
}

export function outcomeForScore(score: number, t: Thresholds): Outcome {
  if (score >= t.decline) return 'decline';
  if (score >= t.block_and_review) return 'block_and_review';
  if (score >= t.review) return 'review';
  return 'approve';
}
