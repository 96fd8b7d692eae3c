/**
 * Account cases (issue 17): the flagged decisions of one account within a window are one case, which a team
 * works: assigned, noted, escalated and closed as fraud or legitimate (closing labels every transaction in it).
 * This is the contract between the stores (`store.cases`), the service and the API; docs/api.md "Account cases".
 *
 * A flagged decision (review or block-and-review) is stored first, as today; a sweep in `serve` then groups the
 * ungrouped ones into cases, routes open cases to the first matching queue and auto-assigns them round robin
 * (one store transaction each step, so two processes never group or assign the same decision twice).
 */
import type { Outcome } from '../engine/decision.ts';
import type { QueueRecord } from './queue-model.ts';
import type { Page } from '../store/types.ts';

export const ACCOUNT_CASE_STATUSES = [
  'open',
  'in_review',
  'escalated',
  'closed_fraud',
  'closed_legitimate',
] as const;
export type AccountCaseStatus = (typeof ACCOUNT_CASE_STATUSES)[number];

/** A case in one of these takes new alerts of its account and counts in the backlog. */
export const ACTIVE_CASE_STATUSES: readonly AccountCaseStatus[] = ['open', 'in_review', 'escalated'];
export const CLOSED_CASE_STATUSES: readonly AccountCaseStatus[] = ['closed_fraud', 'closed_legitimate'];

export function isClosedStatus(status: AccountCaseStatus): boolean {
  return status === 'closed_fraud' || status === 'closed_legitimate';
}

/** A flagged decision joins the active case of its account whose last alert is at most this old (CASE_WINDOW). */
export const DEFAULT_CASE_WINDOW_MS = 24 * 3_600_000;

export interface AccountCase {
  /** `case_` + a random UUID. */
  id: string;
  account_id: string;
  status: AccountCaseStatus;
  /** The API key name of the analyst working it; null: unassigned. */
  assignee: string | null;
  /** The queue it was routed to (the first by position whose filter matches); null: none matches yet. */
  queue: string | null;
  /** casePriority(max_score, max_amount): higher first. */
  priority: number;
  /** Over its alerts: the highest score and the largest amount (in each transaction's own currency). */
  max_score: number;
  max_amount: number;
  alert_count: number;
  /** Every reason code of its alerts (rule ids such as `new_device@1`, `model`), each once, sorted. */
  reason_codes: string[];
  opened_at: number;
  last_alert_at: number;
  updated_at: number;
  /** When and by whom it was closed; null while active (a reopen clears them). */
  closed_at: number | null;
  closed_by: string | null;
}

/** One transaction of a case, as the detail shows it. */
export interface CaseAlert {
  transaction_id: string;
  added_at: number;
  decided_at: number;
  amount: number;
  currency: string;
  merchant_id: string | null;
  outcome: Outcome;
  score: number;
  /** The decision's reason codes. */
  reasons: string[];
  /** The transaction's own review status (CASE_STATUSES in store/types.ts). */
  status: string;
}

export interface CaseNote {
  id: number;
  case_id: string;
  author: string;
  at: number;
  text: string;
}

export const CASE_EVENT_ACTIONS = [
  'opened',
  'alert_added',
  'routed',
  'assigned',
  'unassigned',
  'status_changed',
  'note_added',
] as const;
export type CaseEventAction = (typeof CASE_EVENT_ACTIONS)[number];

/** The case's own timeline; every change is also an entry of the chained audit trail (action `case_<action>`). */
export interface CaseEvent {
  id: number;
  case_id: string;
  at: number;
  /** An API key name, or `system` for grouping, routing and auto-assignment. */
  actor: string;
  action: CaseEventAction;
  old_value: string | null;
  new_value: string | null;
}

export interface CaseDetail extends AccountCase {
  /** Oldest first. */
  alerts: CaseAlert[];
  /** Oldest first. */
  notes: CaseNote[];
  /** Oldest first. */
  timeline: CaseEvent[];
}

export interface CaseQuery {
  /** Default: the active statuses. */
  status?: readonly AccountCaseStatus[];
  /** An API key name; null: unassigned only. Absent: anyone. */
  assignee?: string | null;
  queue?: string;
  account_id?: string;
  min_score?: number;
  /** Opened at or before this (epoch ms): "older than". */
  opened_before?: number;
  /** `priority` (default: highest first, then oldest) or `age` (oldest first). */
  sort?: 'priority' | 'age';
  limit?: number;
  /** Opaque, from the previous page's next_cursor. */
  cursor?: string;
}

/** What one grouping sweep did. */
export interface GroupingResult {
  /** Cases created by this sweep (with their first alerts in). */
  opened: AccountCase[];
  /** Existing cases that took new alerts, and which. */
  joined: { case: AccountCase; transaction_ids: string[] }[];
  /** Decisions grouped in all. */
  grouped: number;
}

export interface Assignment {
  case_id: string;
  queue: string;
  assignee: string;
}

/**
 * What a change did: `changed` (stored, with its timeline and audit entries), `unchanged` (it already was so:
 * nothing written) or `refused` (not allowed from the case's status, e.g. a note on nothing, assigning a closed
 * case; nothing written). `case` is the case after.
 */
export interface CaseChange {
  result: 'changed' | 'unchanged' | 'refused';
  case: AccountCase;
  /** Why a change was refused, for the 409 message. */
  reason?: string;
}

/** A close also sets each alert's transaction status (confirmed_fraud / legitimate) in the same transaction. */
export interface CaseClose extends CaseChange {
  /** The transactions whose status the close changed (the service feeds each to the engine as a label). */
  labelled: { transaction_id: string; merchant_id: string | null; fraud: boolean }[];
}

/** A queue's backlog: its active cases; `queue` null gathers the active cases no queue matches. */
export interface QueueBacklog {
  queue: string | null;
  active: number;
  unassigned: number;
  /** opened_at of its oldest active case; null when it has none. */
  oldest_opened_at: number | null;
}

export interface CaseStore {
  /**
   * Groups up to `limit` flagged decisions not yet in a case (oldest decided first): each joins the active case
   * of its account whose last alert is within `windowMs` before it, else opens one. One database transaction;
   * on PostgreSQL, concurrent sweeps of other processes skip the rows this one holds.
   */
  groupAlerts(windowMs: number, at: number, limit: number): Promise<GroupingResult>;
  /**
   * Sets the queue of active cases that are unassigned and were opened or took an alert since they were last
   * routed, or whose queue no longer exists: the first of `queues` (already in order) whose filter matches
   * (null when none). Returns how many cases changed queue.
   */
  routeCases(queues: readonly QueueRecord[], at: number): Promise<number>;
  /**
   * Deals each queue's unassigned active cases (oldest first) round robin to its members below capacity (load:
   * their active assigned cases), holding the queue's row lock so two processes never hand out the same turn.
   */
  assignCases(at: number): Promise<Assignment[]>;
  listCases(query: CaseQuery): Promise<Page<AccountCase>>;
  countCases(query: CaseQuery): Promise<number>;
  getCase(id: string): Promise<CaseDetail | null>;
  /** Assigns (or with null unassigns) an active case; null for an unknown id. */
  assignCase(id: string, assignee: string | null, actor: string, at: number): Promise<CaseChange | null>;
  /** Adds a note (to any case, closed ones too); null for an unknown id. */
  addCaseNote(id: string, author: string, text: string, at: number): Promise<CaseNote | null>;
  /**
   * Moves a case between the active statuses, closes it (labelling its transactions) or reopens a closed one
   * (to `open`); `note`, when given, is added as a note in the same transaction. Null for an unknown id.
   */
  setCaseStatus(
    id: string,
    status: AccountCaseStatus,
    actor: string,
    note: string | null,
    at: number,
  ): Promise<CaseClose | null>;
  /** Active cases per queue (and the unrouted, queue null), for the backlog endpoint and the SLA gauges. */
  caseBacklog(): Promise<QueueBacklog[]>;
  /** The case a transaction is in; null when none. */
  caseOfTransaction(transactionId: string): Promise<string | null>;
}

/**
 * Higher first: the score weighs most (0..1000), the amount adds up to about 100 per factor of ten (a 10,000
 * payment adds 400), so a large payment with a middling score comes before a small one with the same score.
 */
export function casePriority(maxScore: number, maxAmount: number): number {
  const score = Math.max(0, Math.min(1, maxScore));
  return Math.round(1000 * score + 100 * Math.log10(1 + Math.max(0, maxAmount)));
}
