/**
 * Account cases as the dashboard reads and changes them (issue 17; docs/api.md "Account cases"): the wire shapes,
 * built on the server's contract (src/cases/case-types.ts) so the two cannot drift, and the calls that change a
 * case. Shared by the Cases list and the case detail.
 */
import { api } from './api.ts';
import type {
  AccountCase,
  AccountCaseStatus,
  CaseAlert,
  CaseEvent,
  CaseNote,
} from '../../src/cases/case-types.ts';
import type { QueueDefinition } from '../../src/cases/queue-model.ts';

export { ACCOUNT_CASE_STATUSES } from '../../src/cases/case-types.ts';
export type { AccountCaseStatus } from '../../src/cases/case-types.ts';
export type { QueueFilter, QueueMember } from '../../src/cases/queue-model.ts';

/** The API may send a time as ISO text where the store keeps epoch ms (as audit entries do): read both. */
export type WireTime = number | string;
type WithWireTimes<T> = {
  [K in keyof T]: K extends `${string}_at` | 'at' ? (null extends T[K] ? WireTime | null : WireTime) : T[K];
};

export type CaseSummary = WithWireTimes<AccountCase>;
export type CaseAlertView = WithWireTimes<CaseAlert>;
export type CaseNoteView = WithWireTimes<CaseNote>;
export type CaseEventView = WithWireTimes<CaseEvent>;

/** An active rule snooze of the case's account (the Rules page's shape). */
export interface AccountSnooze {
  id: string;
  rule_id: string;
  entity_type: 'account' | 'merchant' | 'device';
  entity_id: string;
  reason: string;
  created_by: string;
  until: WireTime;
}

export interface CaseDetailView extends CaseSummary {
  alerts: CaseAlertView[];
  notes: CaseNoteView[];
  timeline: CaseEventView[];
  snoozes: AccountSnooze[];
}

export interface CasePage {
  items: CaseSummary[];
  next_cursor: string | null;
  total: number;
}

/** One queue's row of GET /api/v1/queues/backlog; `queue` null gathers the active cases no queue matches. */
export interface BacklogRow {
  queue: string | null;
  active: number;
  unassigned: number;
  oldest_opened_at: WireTime | null;
  oldest_age_seconds: number | null;
  sla_seconds: number | null;
  breached: boolean;
}

export interface QueueView extends QueueDefinition {
  last_assigned: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export const CASE_STATUS_LABELS: Record<AccountCaseStatus, string> = {
  open: 'open',
  in_review: 'in review',
  escalated: 'escalated',
  closed_fraud: 'closed as fraud',
  closed_legitimate: 'closed as legitimate',
};

export const isClosed = (status: AccountCaseStatus): boolean =>
  status === 'closed_fraud' || status === 'closed_legitimate';

/** Closing labels every transaction of the case, so the pages ask first. */
export const CLOSING: readonly { status: AccountCaseStatus; label: string }[] = [
  { status: 'closed_fraud', label: 'Close as fraud' },
  { status: 'closed_legitimate', label: 'Close as legitimate' },
];

export const toMillis = (t: WireTime): number => (typeof t === 'number' ? t : Date.parse(t));

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": an age an analyst reads at a glance. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

const casePath = (id: string) => `/api/v1/cases/${encodeURIComponent(id)}`;

export interface CaseChangeAnswer {
  changed: boolean;
  case: CaseSummary;
}

/** `assignee` "me" is the caller; null unassigns. */
export function assignCase(id: string, assignee: string | null) {
  return api<CaseChangeAnswer>(`${casePath(id)}/assign`, { method: 'POST', body: { assignee } });
}

export function setCaseStatus(id: string, status: AccountCaseStatus, note?: string) {
  return api<CaseChangeAnswer & { labelled: string[] }>(`${casePath(id)}/status`, {
    method: 'POST',
    body: note ? { status, note } : { status },
  });
}

export function addCaseNote(id: string, text: string) {
  return api<CaseNoteView>(`${casePath(id)}/notes`, { method: 'POST', body: { text } });
}

export interface BulkResult {
  case_id: string;
  result: 'changed' | 'unchanged' | 'refused' | 'not_found' | string;
  reason?: string;
}

export type BulkAction =
  | { action: 'assign'; assignee: string | null }
  | { action: 'status'; status: AccountCaseStatus; note?: string };

export function bulkCases(caseIds: readonly string[], action: BulkAction) {
  return api<{ results: BulkResult[] }>('/api/v1/cases/bulk', {
    method: 'POST',
    body: { case_ids: caseIds, ...action },
  });
}
