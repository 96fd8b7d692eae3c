/**
 * SQL shared by both stores: the anomaly filters and keyset pagination, written once with a placeholder
 * function ($1 for PostgreSQL, ? for SQLite) so the two stores cannot answer differently.
 */
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import { OUTCOMES } from '../engine/decision.ts';
import { EARLIER_CATALOG_COLUMNS, FEATURE_COUNT } from '../engine/features/catalog.ts';
import {
  CASE_STATUSES,
  decodeCursor,
  initialCaseStatus,
  SCORE_BINS,
  type DecisionStats,
  MAX_PAGE,
  type AnomalyQuery,
  type AuditQuery,
  type NewAuditEntry,
  type CaseStatus,
  type NewDecision,
  type StoredTransaction,
  type StoredVerdict,
  type ContradictedVerdict,
  type LabelResult,
  type NewLabel,
  type StoredLabel,
  type ModelScoreRow,
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
    const { key, id } = decodeCursor(q.cursor, q.sort);
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

/**
 * The rows retention keeps unless told otherwise: open cases (flagged, not yet closed) and confirmed fraud, which
 * chargebacks, disputes and investigations still need. A decline nobody disputed (`decided`) is not a case.
 */
export const CASE_CONDITION =
  "((outcome <> 'approve' AND status IN ('open', 'under_review')) OR status = 'confirmed_fraud')";

/**
 * Verdicts as the audit trail recorded them (every status change to confirmed fraud or legitimate, on a stored
 * transaction with a merchant), paged by audit id (`after` is the last id of the page before).
 */
export function VERDICTS_SQL(after: string, limit: string): string {
  return `SELECT a.id, a.transaction_id, t.merchant_id, t.account_id, a.new_value, a.at FROM audit a
    JOIN transactions t ON t.transaction_id = a.transaction_id
    WHERE a.id > ${after} AND a.action = 'status_change' AND a.new_value IN ('confirmed_fraud', 'legitimate')
      AND t.merchant_id IS NOT NULL
    ORDER BY a.id LIMIT ${limit}`;
}

export interface VerdictRow {
  id: number | string;
  transaction_id: string;
  merchant_id: string;
  account_id: string;
  new_value: string;
  at: number | string;
}

export function fromVerdictRow(row: VerdictRow): StoredVerdict {
  return {
    audit_id: Number(row.id),
    transaction_id: row.transaction_id,
    merchant_id: row.merchant_id,
    account_id: row.account_id,
    fraud: row.new_value === 'confirmed_fraud',
    at: Number(row.at),
  };
}

/** The cursor for the page after `items` (null when the page was not full). */
export function nextCursorKey(q: AnomalyQuery, last: StoredTransaction): number {
  return q.sort === 'time' ? last.transaction.timestamp : last.decision.score;
}

/** WHERE clause for the audit trail filters and the keyset position. */
export function auditWhere(q: AuditQuery, placeholder: (n: number) => string): Built {
  const params: unknown[] = [];
  const parts: string[] = [];
  const add = (condition: (p: string) => string, value: unknown): void => {
    params.push(value);
    parts.push(condition(placeholder(params.length)));
  };
  for (const column of ['transaction_id', 'actor', 'action'] as const) {
    const value = q[column];
    if (value !== undefined) add((p) => `${column} = ${p}`, value);
  }
  if (q.from !== undefined) add((p) => `at >= ${p}`, q.from);
  if (q.to !== undefined) add((p) => `at < ${p}`, q.to);
  if (q.after_id !== undefined) add((p) => `id > ${p}`, q.after_id);
  if (q.before_id !== undefined) add((p) => `id < ${p}`, q.before_id);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function auditOrder(q: AuditQuery): string {
  return q.order === 'desc' ? 'ORDER BY id DESC' : 'ORDER BY id';
}

export function auditLimit(q: AuditQuery): number {
  return Math.max(1, Math.min(q.limit ?? 100, MAX_PAGE));
}

/** The audit entry columns in insert order, after `id`. */
export const AUDIT_INSERT_COLUMNS =
  'at, actor, action, transaction_id, old_value, new_value, note, prev_hash';

export function auditInsertValues(e: NewAuditEntry, prevHash: string): unknown[] {
  return [e.at, e.actor, e.action, e.transaction_id, e.old_value, e.new_value, e.note, prevHash];
}

/**
 * A decision's column values in both stores' insert order: up to `decided_at`, the case status it starts with,
 * then the model columns (migration 11); `updated_at` and the features follow.
 */
export type DecisionRowValues = [
  transactionId: string,
  accountId: string,
  merchantId: string | null,
  amount: number,
  occurredAt: number,
  payload: string,
  payloadHash: string,
  score: number,
  outcome: string,
  decision: string,
  decidedAt: number,
  caseStatus: CaseStatus,
  modelVersion: string | null,
  decidedBy: string,
  shadowVersion: string | null,
  shadowScore: number | null,
];

export function decisionRowValues(r: NewDecision): DecisionRowValues {
  const tx = r.transaction;
  return [
    tx.transaction_id,
    tx.account_id,
    tx.merchant_id ?? null,
    tx.amount,
    tx.timestamp,
    JSON.stringify(tx),
    r.payload_hash,
    r.decision.score,
    r.decision.outcome,
    JSON.stringify(r.decision),
    r.decided_at,
    initialCaseStatus(r.decision.outcome),
    r.decision.model_version,
    r.decision.decided_by ?? 'champion',
    r.decision.shadow?.model_version ?? null,
    r.decision.shadow?.score ?? null,
  ];
}

/**
 * The compact rows of decisions made in [from, until) for the live model metrics, in decision order after the
 * cursor (placeholders: from, until, and with a cursor its decided_at and transaction_id, then the limit).
 */
export const MODEL_SCORES_SQL = (p: (n: number) => string, withCursor: boolean): string =>
  `SELECT transaction_id, decided_at, score, model_version, decided_by, shadow_score, shadow_version FROM transactions
   WHERE decided_at >= ${p(1)} AND decided_at < ${p(2)}${
     withCursor ? ` AND (decided_at > ${p(3)} OR transaction_id > ${p(4)})` : ''
   }
   ORDER BY decided_at, transaction_id LIMIT ${p(withCursor ? 5 : 3)}`;

export interface ModelScoreDbRow {
  transaction_id: string;
  decided_at: number | string;
  score: number;
  model_version: string | null;
  decided_by: string | null;
  shadow_score: number | null;
  shadow_version: string | null;
}

export function fromModelScoreRow(row: ModelScoreDbRow): ModelScoreRow {
  return {
    transaction_id: row.transaction_id,
    decided_at: Number(row.decided_at),
    score: row.score,
    model_version: row.model_version,
    // Rows stored before migration 11 have none: the champion decided them.
    decided_by: row.decided_by === 'challenger' ? 'challenger' : 'champion',
    shadow_score: row.shadow_score,
    shadow_version: row.shadow_version,
  };
}

/** Features as stored: the vector's bytes (8 per feature, platform byte order, which both stores' hosts share). */
export function featuresToBytes(features: Float64Array | undefined): Buffer | null {
  return features === undefined
    ? null
    : Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

/**
 * A stored vector in today's catalog order. One stored under an earlier catalog is mapped by name, the features
 * it lacked NaN (a model sends NaN down its missing-value branch; a rule comparing NaN does not fire); a width
 * that no catalog had reads as no features.
 */
export function featuresFromBytes(bytes: Uint8Array | null): Float64Array | null {
  if (bytes === null || bytes.byteLength % 8 !== 0) return null;
  const copy = new Float64Array(FEATURE_COUNT);
  if (bytes.byteLength === FEATURE_COUNT * 8) {
    new Uint8Array(copy.buffer).set(bytes);
    return copy;
  }
  const columns = EARLIER_CATALOG_COLUMNS.get(bytes.byteLength / 8);
  if (columns === undefined) return null;
  const stored = new Float64Array(columns.length);
  new Uint8Array(stored.buffer).set(bytes);
  copy.fill(NaN);
  for (let c = 0; c < columns.length; c++) copy[columns[c]!] = stored[c]!;
  return copy;
}

/**
 * The newest decisions, or (with `after`: placeholders for decided_at twice and transaction_id) those after a
 * page's last row, in the same order: a page costs its own rows, however deep it is.
 */
/**
 * `after`: the cursor's time three times and its id. The first bounds the range (`decided_at <= t`), so a page
 * starts where the last ended in the index; without it the OR made SQLite walk every newer row first, and
 * paging through a store took time quadratic in its rows.
 */
export const RECENT_DECISIONS_SQL = (limit: string, after?: [string, string, string, string]): string =>
  `SELECT payload, decision, status, features, decided_at FROM transactions ${
    after
      ? `WHERE decided_at <= ${after[0]} AND (decided_at < ${after[1]} OR (decided_at = ${after[2]} AND transaction_id > ${after[3]})) `
      : ''
  }ORDER BY decided_at DESC, transaction_id LIMIT ${limit}`;

/**
 * The three aggregate queries behind DecisionStats; `bin` is the dialect's score-to-bin expression. The bucket
 * width is written into the SQL as an integer literal (a bound JS number is a REAL to SQLite, which would turn
 * the integer division into a float one); it comes from the server's own window table, never from a client.
 */
export function statsSql(
  p: (n: number) => string,
  bin: string,
  bucketMs: number,
): { buckets: string; statuses: string; scores: string } {
  const width = Math.max(1, Math.round(bucketMs));
  if (!Number.isSafeInteger(width)) throw new RangeError(`bucket width: not an integer: ${bucketMs}`);
  const range = `decided_at >= ${p(1)} AND decided_at < ${p(2)}`;
  return {
    buckets: `SELECT (decided_at / ${width}) * ${width} AS bucket, outcome, COUNT(*) AS n FROM transactions
              WHERE ${range} GROUP BY bucket, outcome ORDER BY bucket`,
    statuses: `SELECT status, COUNT(*) AS n FROM transactions WHERE ${range} GROUP BY status`,
    scores: `SELECT ${bin} AS bin, COUNT(*) AS n FROM transactions WHERE ${range} GROUP BY bin`,
  };
}

/** Folds the three result sets into DecisionStats. */
export function foldStats(
  bucketRows: { bucket: number | string; outcome: string; n: number | string }[],
  statusRows: { status: string; n: number | string }[],
  scoreRows: { bin: number | string; n: number | string }[],
): DecisionStats {
  const outcomes = new Array<number>(OUTCOMES.length).fill(0);
  const buckets: DecisionStats['buckets'] = [];
  for (const row of bucketRows) {
    const start = Number(row.bucket);
    let last = buckets[buckets.length - 1];
    if (last === undefined || last.start !== start) {
      last = { start, counts: new Array<number>(OUTCOMES.length).fill(0) };
      buckets.push(last);
    }
    const o = (OUTCOMES as readonly string[]).indexOf(row.outcome);
    if (o < 0) continue;
    last.counts[o]! += Number(row.n);
    outcomes[o]! += Number(row.n);
  }
  const statuses = new Array<number>(CASE_STATUSES.length).fill(0);
  for (const row of statusRows) {
    const s = (CASE_STATUSES as readonly string[]).indexOf(row.status);
    if (s >= 0) statuses[s] = Number(row.n);
  }
  const scores = new Array<number>(SCORE_BINS).fill(0);
  for (const row of scoreRows) {
    const b = Math.min(SCORE_BINS - 1, Math.max(0, Number(row.bin)));
    scores[b]! += Number(row.n);
  }
  return { buckets, outcomes, statuses, scores };
}

/** The first publication of a rules version by name (later rows of that name are rollbacks to it). */
export const FIRST_RULE_VERSION_SQL = (version: string): string =>
  `SELECT * FROM rule_versions WHERE version = ${version} ORDER BY seq LIMIT 1`;

/** Imported labels with their transaction's merchant, in the order they were recorded. */
export const LABEL_COLUMNS =
  'l.seq, l.transaction_id, l.fraud, l.source, l.known_at, l.recorded_at, l.recorded_by, t.merchant_id, t.account_id';
const LABEL_FROM = 'labels l LEFT JOIN transactions t ON t.transaction_id = l.transaction_id';

export const LABELS_AFTER_SQL = (after: string, limit: string): string =>
  `SELECT ${LABEL_COLUMNS} FROM ${LABEL_FROM} WHERE l.seq > ${after} ORDER BY l.seq LIMIT ${limit}`;

export const LABEL_OF_SQL = (id: string): string =>
  `SELECT ${LABEL_COLUMNS} FROM ${LABEL_FROM} WHERE l.transaction_id = ${id}`;

export const INSERT_LABEL_COLUMNS = 'transaction_id, fraud, source, known_at, recorded_at, recorded_by, seq';

export interface LabelRow {
  seq: number | string;
  transaction_id: string;
  fraud: number | string;
  source: string;
  known_at: number | string;
  recorded_at: number | string;
  recorded_by: string;
  merchant_id: string | null;
  account_id: string | null;
}

export function fromLabelRow(row: LabelRow): StoredLabel {
  return {
    seq: Number(row.seq),
    transaction_id: row.transaction_id,
    fraud: Number(row.fraud) === 1,
    source: row.source,
    known_at: Number(row.known_at),
    recorded_at: Number(row.recorded_at),
    recorded_by: row.recorded_by,
    merchant_id: row.merchant_id,
    account_id: row.account_id,
  };
}

/**
 * What recording `label` does, given the case status of its transaction (undefined: not stored) and the label
 * stored before (if any). Both stores decide through this, so they cannot answer differently.
 */
export function labelResult(
  status: string | undefined,
  existing: StoredLabel | undefined,
  label: NewLabel,
): LabelResult {
  if (status === undefined) return { result: 'unknown_transaction' };
  if (existing !== undefined)
    return existing.fraud === label.fraud
      ? { result: 'unchanged' }
      : { result: 'conflict', stored: existing };
  const contradicts: ContradictedVerdict | null =
    status === 'confirmed_fraud' && !label.fraud
      ? 'confirmed_fraud'
      : status === 'legitimate' && label.fraud
        ? 'legitimate'
        : null;
  return { result: 'recorded', contradicts_verdict: contradicts };
}

/** The audit entry of a recorded label: the label as new value, its source and known time in the note. */
export function labelAuditEntry(
  label: NewLabel,
  actor: string,
  at: number,
  contradicts: ContradictedVerdict | null,
): NewAuditEntry {
  const against = contradicts === null ? '' : `; contradicts the verdict ${contradicts}`;
  return {
    at,
    actor,
    action: 'label_recorded',
    transaction_id: label.transaction_id,
    old_value: null,
    new_value: label.fraud ? 'fraud' : 'legit',
    note: `source ${label.source}, known at ${new Date(label.known_at).toISOString()}${against}`,
  };
}

/** The stored form of a label recorded now, as the stores return it to later items of the same batch. */
export function storedLabel(
  label: NewLabel,
  seq: number,
  merchantId: string | null,
  accountId: string | null,
  actor: string,
  at: number,
): StoredLabel {
  return {
    transaction_id: label.transaction_id,
    fraud: label.fraud,
    source: label.source,
    known_at: label.known_at,
    seq,
    merchant_id: merchantId,
    account_id: accountId,
    recorded_at: at,
    recorded_by: actor,
  };
}
