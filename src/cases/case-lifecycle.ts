/**
 * The rules of an account case's life both stores apply before writing anything: how an alert changes a case's
 * facts, which status changes are allowed, and what a close sets its transactions to.
 */
import type { Decision } from '../engine/decision.ts';
import type { CaseStatus } from '../store/types.ts';
import {
  casePriority,
  isClosedStatus,
  type AccountCase,
  type AccountCaseStatus,
  type CaseChange,
} from './case-types.ts';
import type { QueueCaseFacts } from './queue-model.ts';

/** Only these outcomes are grouped into cases (the ones whose transaction status starts `open`). */
export const GROUPED_OUTCOMES = ['review', 'block_and_review'] as const;

/** One flagged decision as grouping reads it. */
export interface AlertInput {
  transaction_id: string;
  account_id: string;
  amount: number;
  score: number;
  decided_at: number;
  reason_codes: string[];
}

/** A decision's reason codes: the rule id of a rule reason, `model` for a model's. */
export function reasonCodesOf(decision: Pick<Decision, 'reasons'>): string[] {
  return [...new Set(decision.reasons.map((r) => (r.kind === 'rule' ? r.rule : 'model')))].sort();
}

/**
 * A new case around its first alert. It opens at the alert's decision time, not the sweep's: the SLA clock
 * starts when the signal arrived, and decisions grouped late (after the migration, after an outage) show their age.
 */
export function newCase(id: string, alert: AlertInput, at: number): AccountCase {
  return {
    id,
    account_id: alert.account_id,
    status: 'open',
    assignee: null,
    queue: null,
    priority: casePriority(alert.score, alert.amount),
    max_score: alert.score,
    max_amount: alert.amount,
    alert_count: 1,
    reason_codes: [...alert.reason_codes].sort(),
    opened_at: alert.decided_at,
    last_alert_at: alert.decided_at,
    updated_at: at,
    closed_at: null,
    closed_by: null,
  };
}

/** The case after taking `alert`. */
export function withAlert(c: AccountCase, alert: AlertInput, at: number): AccountCase {
  const max_score = Math.max(c.max_score, alert.score);
  const max_amount = Math.max(c.max_amount, alert.amount);
  return {
    ...c,
    max_score,
    max_amount,
    priority: casePriority(max_score, max_amount),
    alert_count: c.alert_count + 1,
    reason_codes: [...new Set([...c.reason_codes, ...alert.reason_codes])].sort(),
    // An alert older than the case's first (two sweeps taking one account's decisions out of order) moves its start.
    opened_at: Math.min(c.opened_at, alert.decided_at),
    last_alert_at: Math.max(c.last_alert_at, alert.decided_at),
    updated_at: at,
  };
}

/**
 * Whether an alert decided at `decidedAt` joins an active case: its last alert is at most `windowMs` before it
 * (and, for an alert grouped late, its first at most `windowMs` after it).
 */
export function withinWindow(c: AccountCase, decidedAt: number, windowMs: number): boolean {
  return c.last_alert_at >= decidedAt - windowMs && c.opened_at <= decidedAt + windowMs;
}

/** What a queue's filter looks at. */
export function caseFacts(c: AccountCase): QueueCaseFacts {
  return {
    max_amount: c.max_amount,
    max_score: c.max_score,
    priority: c.priority,
    reason_codes: c.reason_codes,
  };
}

export const REOPEN_FIRST = 'the case is closed: reopen it (status open) first';

/** Whether moving a case from `current` to `requested` is allowed (nothing is written otherwise). */
export function caseStatusChange(
  current: AccountCaseStatus,
  requested: AccountCaseStatus,
): Pick<CaseChange, 'result' | 'reason'> {
  if (current === requested) return { result: 'unchanged' };
  if (isClosedStatus(current) && requested !== 'open') return { result: 'refused', reason: REOPEN_FIRST };
  return { result: 'changed' };
}

/** The transaction status a close gives each of the case's transactions (as a verdict would). */
export function labelStatusOf(status: AccountCaseStatus): CaseStatus | null {
  return status === 'closed_fraud' ? 'confirmed_fraud' : status === 'closed_legitimate' ? 'legitimate' : null;
}

export const CLOSED_CASE_UNASSIGNABLE = 'the case is closed: reopen it before assigning it';
