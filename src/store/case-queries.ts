/**
 * The account-case SQL both stores share (migration 16) and the mapping of its rows. Only the placeholders
 * differ between the dialects, and PostgreSQL appends its row locks (`lock`), which SQLite (one writer on the
 * file at a time) has no use for.
 */
import type { Transaction } from '../engine/transaction.ts';
import type { Decision, Outcome } from '../engine/decision.ts';
import { GROUPED_OUTCOMES, reasonCodesOf, type AlertInput } from '../cases/case-lifecycle.ts';
import {
  ACTIVE_CASE_STATUSES,
  type AccountCase,
  type AccountCaseStatus,
  type CaseAlert,
  type CaseEvent,
  type CaseEventAction,
  type CaseNote,
  type QueueBacklog,
} from '../cases/case-types.ts';
import type { QueueRecord } from '../cases/queue-model.ts';
import type { NewAuditEntry } from './types.ts';

type Placeholder = (n: number) => string;

const quoted = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const ACTIVE = quoted(ACTIVE_CASE_STATUSES);

export const CASE_COLUMNS =
  'id, account_id, status, assignee, queue, priority, max_score, max_amount, alert_count, reason_codes, opened_at, last_alert_at, updated_at, closed_at, closed_by';

/** Flagged decisions not yet in a case, oldest decided first (the partial index transactions_ungrouped). */
export const UNGROUPED_SQL = (p: Placeholder, lock = ''): string =>
  `SELECT transaction_id, account_id, amount, score, decided_at, decision FROM transactions
   WHERE case_id IS NULL AND outcome IN (${quoted(GROUPED_OUTCOMES)})
   ORDER BY decided_at, transaction_id LIMIT ${p(1)}${lock}`;

/** The account's latest active case whose alerts span the window around a decision (withinWindow). */
export const JOINABLE_CASE_SQL = (p: Placeholder, lock = ''): string =>
  `SELECT ${CASE_COLUMNS} FROM account_cases
   WHERE account_id = ${p(1)} AND status IN (${ACTIVE}) AND last_alert_at >= ${p(2)} AND opened_at <= ${p(3)}
   ORDER BY last_alert_at DESC, id LIMIT 1${lock}`;

export const INSERT_CASE_SQL = (p: Placeholder): string =>
  `INSERT INTO account_cases (${CASE_COLUMNS}, needs_routing)
   VALUES (${Array.from({ length: 16 }, (_, i) => p(i + 1)).join(', ')})`;

/** A case that took alerts: its facts, and routed again (its new facts may match another queue). */
export const UPDATE_CASE_FACTS_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET priority = ${p(1)}, max_score = ${p(2)}, max_amount = ${p(3)}, alert_count = ${p(4)},
     reason_codes = ${p(5)}, opened_at = ${p(6)}, last_alert_at = ${p(7)}, updated_at = ${p(8)}, needs_routing = 1
   WHERE id = ${p(9)}`;

export const INSERT_ALERT_SQL = (p: Placeholder): string =>
  `INSERT INTO case_alerts (transaction_id, case_id, added_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`;

export const MARK_GROUPED_SQL = (p: Placeholder): string =>
  `UPDATE transactions SET case_id = ${p(1)} WHERE transaction_id = ${p(2)}`;

export const INSERT_EVENT_SQL = (p: Placeholder): string =>
  `INSERT INTO case_events (case_id, at, actor, action, old_value, new_value)
   VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`;

/**
 * Unassigned active cases to route: opened or joined since last routed, or in a queue that is gone, or (while
 * there are queues) in none, so a queue created after them still gets them. `queueCount` placeholders from 1
 * hold the names of the queues there are.
 */
export const TO_ROUTE_SQL = (p: Placeholder, queueCount: number, lock = ''): string => {
  const gone =
    queueCount === 0
      ? 'queue IS NOT NULL'
      : `queue IS NULL OR queue NOT IN (${Array.from({ length: queueCount }, (_, i) => p(i + 1)).join(', ')})`;
  return `SELECT ${CASE_COLUMNS} FROM account_cases
   WHERE status IN (${ACTIVE}) AND assignee IS NULL AND (needs_routing = 1 OR ${gone})
   ORDER BY opened_at, id${lock}`;
};

export const SET_QUEUE_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET queue = ${p(1)}, updated_at = ${p(2)}, needs_routing = 0 WHERE id = ${p(3)}`;

/** Writes nothing for a case already marked routed (an unrouted case looked at again each sweep). */
export const ROUTED_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET needs_routing = 0 WHERE id = ${p(1)} AND needs_routing = 1`;

/** Each analyst's active assigned cases, over every queue: what counts against their capacity. */
export const ASSIGNED_LOAD_SQL = `SELECT assignee, COUNT(*) AS n FROM account_cases
   WHERE assignee IS NOT NULL AND status IN (${ACTIVE}) GROUP BY assignee`;

/** A queue's unassigned active cases routed to their current facts, oldest first. */
export const QUEUE_UNASSIGNED_SQL = (p: Placeholder, lock = ''): string =>
  `SELECT id FROM account_cases
   WHERE queue = ${p(1)} AND assignee IS NULL AND status IN (${ACTIVE}) AND needs_routing = 0
   ORDER BY opened_at, id LIMIT ${p(2)}${lock}`;

export const AUTO_ASSIGN_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET assignee = ${p(1)}, updated_at = ${p(2)} WHERE id = ${p(3)} AND assignee IS NULL`;

export const CASE_BY_ID_SQL = (p: Placeholder, lock = ''): string =>
  `SELECT ${CASE_COLUMNS} FROM account_cases WHERE id = ${p(1)}${lock}`;

/** With `reroute` 1 (an unassignment) the case is routed again, then dealt in the queue its facts match now. */
export const SET_ASSIGNEE_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET assignee = ${p(1)}, updated_at = ${p(2)},
     needs_routing = CASE WHEN ${p(3)} = 1 THEN 1 ELSE needs_routing END WHERE id = ${p(4)}`;

export const SET_CASE_STATUS_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET status = ${p(1)}, closed_at = ${p(2)}, closed_by = ${p(3)}, updated_at = ${p(4)},
     needs_routing = ${p(5)} WHERE id = ${p(6)}`;

export const TOUCH_CASE_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET updated_at = ${p(1)} WHERE id = ${p(2)}`;

/** The case's transactions as a close labels them; PostgreSQL locks them (`FOR UPDATE OF t`). */
export const ALERT_STATUSES_SQL = (p: Placeholder, lock = ''): string =>
  `SELECT t.transaction_id, t.merchant_id, t.status FROM case_alerts a
     JOIN transactions t ON t.transaction_id = a.transaction_id
   WHERE a.case_id = ${p(1)} ORDER BY t.transaction_id${lock}`;

export const LABEL_TRANSACTION_SQL = (p: Placeholder): string =>
  `UPDATE transactions SET status = ${p(1)}, updated_at = ${p(2)} WHERE transaction_id = ${p(3)}`;

export const ALERTS_OF_CASE_SQL = (p: Placeholder): string =>
  `SELECT a.transaction_id, a.added_at, t.decided_at, t.amount, t.merchant_id, t.outcome, t.score, t.status,
     t.payload, t.decision
   FROM case_alerts a JOIN transactions t ON t.transaction_id = a.transaction_id
   WHERE a.case_id = ${p(1)} ORDER BY t.decided_at, a.transaction_id`;

export const INSERT_NOTE_SQL = (p: Placeholder): string =>
  `INSERT INTO case_notes (case_id, author, at, text) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}) RETURNING id`;

export const NOTES_OF_CASE_SQL = (p: Placeholder): string =>
  `SELECT id, case_id, author, at, text FROM case_notes WHERE case_id = ${p(1)} ORDER BY id`;

export const EVENTS_OF_CASE_SQL = (p: Placeholder): string =>
  `SELECT id, case_id, at, actor, action, old_value, new_value FROM case_events WHERE case_id = ${p(1)} ORDER BY id`;

export const BACKLOG_SQL = `SELECT queue, COUNT(*) AS active,
     SUM(CASE WHEN assignee IS NULL THEN 1 ELSE 0 END) AS unassigned, MIN(opened_at) AS oldest
   FROM account_cases WHERE status IN (${ACTIVE}) GROUP BY queue`;

export const CASE_OF_TRANSACTION_SQL = (p: Placeholder): string =>
  `SELECT case_id FROM case_alerts WHERE transaction_id = ${p(1)}`;

/** After retention deleted some of a case's transactions (and their alerts): the count of those left. */
export const RECOUNT_ALERTS_SQL = (p: Placeholder): string =>
  `UPDATE account_cases SET alert_count = (SELECT COUNT(*) FROM case_alerts a WHERE a.case_id = account_cases.id)
   WHERE id = ${p(1)}`;

export interface CaseRow {
  id: string;
  account_id: string;
  status: string;
  assignee: string | null;
  queue: string | null;
  priority: number | string;
  max_score: number | string;
  max_amount: number | string;
  alert_count: number | string;
  reason_codes: string;
  opened_at: number | string;
  last_alert_at: number | string;
  updated_at: number | string;
  closed_at: number | string | null;
  closed_by: string | null;
}

export function fromCaseRow(row: CaseRow): AccountCase {
  return {
    id: row.id,
    account_id: row.account_id,
    status: row.status as AccountCaseStatus,
    assignee: row.assignee,
    queue: row.queue,
    priority: Number(row.priority),
    max_score: Number(row.max_score),
    max_amount: Number(row.max_amount),
    alert_count: Number(row.alert_count),
    reason_codes: JSON.parse(row.reason_codes) as string[],
    opened_at: Number(row.opened_at),
    last_alert_at: Number(row.last_alert_at),
    updated_at: Number(row.updated_at),
    closed_at: row.closed_at === null ? null : Number(row.closed_at),
    closed_by: row.closed_by,
  };
}

/** A case's column values in CASE_COLUMNS order, then needs_routing. */
export function caseValues(c: AccountCase, needsRouting: boolean): unknown[] {
  return [
    c.id,
    c.account_id,
    c.status,
    c.assignee,
    c.queue,
    c.priority,
    c.max_score,
    c.max_amount,
    c.alert_count,
    JSON.stringify(c.reason_codes),
    c.opened_at,
    c.last_alert_at,
    c.updated_at,
    c.closed_at,
    c.closed_by,
    needsRouting ? 1 : 0,
  ];
}

export function caseFactValues(c: AccountCase): unknown[] {
  return [
    c.priority,
    c.max_score,
    c.max_amount,
    c.alert_count,
    JSON.stringify(c.reason_codes),
    c.opened_at,
    c.last_alert_at,
    c.updated_at,
    c.id,
  ];
}

export interface UngroupedRow {
  transaction_id: string;
  account_id: string;
  amount: number | string;
  score: number | string;
  decided_at: number | string;
  decision: string;
}

export function fromUngroupedRow(row: UngroupedRow): AlertInput {
  return {
    transaction_id: row.transaction_id,
    account_id: row.account_id,
    amount: Number(row.amount),
    score: Number(row.score),
    decided_at: Number(row.decided_at),
    reason_codes: reasonCodesOf(JSON.parse(row.decision) as Decision),
  };
}

export interface AlertRow {
  transaction_id: string;
  added_at: number | string;
  decided_at: number | string;
  amount: number | string;
  merchant_id: string | null;
  outcome: string;
  score: number | string;
  status: string;
  payload: string;
  decision: string;
}

export function fromAlertRow(row: AlertRow): CaseAlert {
  const transaction = JSON.parse(row.payload) as Transaction;
  return {
    transaction_id: row.transaction_id,
    added_at: Number(row.added_at),
    decided_at: Number(row.decided_at),
    amount: Number(row.amount),
    currency: transaction.currency,
    merchant_id: row.merchant_id,
    outcome: row.outcome as Outcome,
    score: Number(row.score),
    reasons: reasonCodesOf(JSON.parse(row.decision) as Decision),
    status: row.status,
  };
}

export function fromNoteRow(row: Record<string, unknown>): CaseNote {
  return {
    id: Number(row.id),
    case_id: row.case_id as string,
    author: row.author as string,
    at: Number(row.at),
    text: row.text as string,
  };
}

export function fromEventRow(row: Record<string, unknown>): CaseEvent {
  return {
    id: Number(row.id),
    case_id: row.case_id as string,
    at: Number(row.at),
    actor: row.actor as string,
    action: row.action as CaseEventAction,
    old_value: (row.old_value as string | null) ?? null,
    new_value: (row.new_value as string | null) ?? null,
  };
}

/** A timeline entry as both stores write it (INSERT_EVENT_SQL's values). */
export interface NewCaseEvent {
  case_id: string;
  at: number;
  actor: string;
  action: CaseEventAction;
  old_value: string | null;
  new_value: string | null;
}

export function eventValues(e: NewCaseEvent): unknown[] {
  return [e.case_id, e.at, e.actor, e.action, e.old_value, e.new_value];
}

/**
 * The chained audit entry of an analyst's or admin's change: action `case_<action>`, no transaction, the values
 * as JSON naming the case. System actions (grouping, routing, auto-assignment) write their timeline entry only.
 */
export function caseAuditEntry(e: NewCaseEvent, note: string | null = null): NewAuditEntry {
  const value = (v: string | null): string | null =>
    v === null ? null : JSON.stringify({ case_id: e.case_id, value: v });
  return {
    at: e.at,
    actor: e.actor,
    action: `case_${e.action}`,
    transaction_id: null,
    old_value: e.old_value === null ? JSON.stringify({ case_id: e.case_id }) : value(e.old_value),
    new_value: e.new_value === null ? JSON.stringify({ case_id: e.case_id }) : value(e.new_value),
    note,
  };
}

/** The backlog of every queue (zeros for one with no active case) and of the unrouted (queue null), last. */
export function foldBacklog(
  rows: readonly {
    queue: string | null;
    active: number | string;
    unassigned: number | string;
    oldest: number | string | null;
  }[],
  queues: readonly QueueRecord[],
): QueueBacklog[] {
  const byQueue = new Map(rows.map((r) => [r.queue, r]));
  const names: (string | null)[] = [...queues.map((q) => q.name)];
  for (const r of rows) if (r.queue !== null && !names.includes(r.queue)) names.push(r.queue);
  names.push(null);
  return names.map((queue) => {
    const r = byQueue.get(queue);
    return {
      queue,
      active: Number(r?.active ?? 0),
      unassigned: Number(r?.unassigned ?? 0),
      oldest_opened_at: r?.oldest === undefined || r.oldest === null ? null : Number(r.oldest),
    };
  });
}
