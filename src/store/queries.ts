/**
 * SQL shared by both stores: the anomaly filters and keyset pagination, written once with a placeholder
 * function ($1 for PostgreSQL, ? for SQLite) so the two stores cannot answer differently.
 */
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import {
  decodeCursor,
  MAX_PAGE,
  type AnomalyQuery,
  type AuditQuery,
  type CaseStatus,
  type StoredTransaction,
} from './types.ts';

export const TRANSACTION_COLUMNS = 'payload, decision, status, decided_at, updated_at';

export interface Built {
  where: string;
  params: unknown[];
}

/** WHERE clause for flagged transactions matching the query; `withCursor` adds the keyset condition. */
export function anomalyWhere(
  q: AnomalyQuery,
  placeholder: (n: number) => string,
  withCursor: boolean,
): Built {
  const params: unknown[] = [];
  const add = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const parts = [`outcome <> 'approve'`];
  if (q.status !== undefined) parts.push(`status = ${add(q.status)}`);
  if (q.outcome !== undefined) parts.push(`outcome = ${add(q.outcome)}`);
  if (q.min_score !== undefined) parts.push(`score >= ${add(q.min_score)}`);
  if (q.account_id !== undefined) parts.push(`account_id = ${add(q.account_id)}`);
  if (q.from !== undefined) parts.push(`occurred_at >= ${add(q.from)}`);
  if (q.to !== undefined) parts.push(`occurred_at < ${add(q.to)}`);
  if (withCursor && q.cursor !== undefined) {
    const { key, id } = decodeCursor(q.cursor);
    const column = q.sort === 'time' ? 'occurred_at' : 'score';
    parts.push(`(${column} < ${add(key)} OR (${column} = ${add(key)} AND transaction_id > ${add(id)}))`);
  }
  return { where: parts.join(' AND '), params };
}

export function orderBy(q: AnomalyQuery): string {
  return q.sort === 'time' ? 'occurred_at DESC, transaction_id' : 'score DESC, transaction_id';
}

export function pageLimit(q: AnomalyQuery): number {
  const limit = q.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RangeError(`limit: must be an integer from 1 to ${MAX_PAGE}`);
  }
  return limit;
}

export interface TransactionRow {
  payload: string;
  decision: string;
  status: string;
  decided_at: number | string;
  updated_at: number | string;
}

export function fromRow(row: TransactionRow): StoredTransaction {
  return {
    transaction: JSON.parse(row.payload) as Transaction,
    decision: JSON.parse(row.decision) as Decision,
    status: row.status as CaseStatus,
    decided_at: Number(row.decided_at),
    updated_at: Number(row.updated_at),
  };
}

/** The cursor for the page after `items` (null when the page was not full). */
export function nextCursorKey(q: AnomalyQuery, last: StoredTransaction): number {
  return q.sort === 'time' ? last.transaction.timestamp : last.decision.score;
}

/** WHERE clause for the audit trail filters. */
export function auditWhere(q: AuditQuery, placeholder: (n: number) => string): Built {
  const params: unknown[] = [];
  const parts: string[] = [];
  for (const column of ['transaction_id', 'actor', 'action'] as const) {
    const value = q[column];
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${column} = ${placeholder(params.length)}`);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function auditLimit(q: AuditQuery): number {
  return Math.max(1, Math.min(q.limit ?? 100, MAX_PAGE));
}
