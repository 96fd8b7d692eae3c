/**
 * What the store keeps and the one repository interface both stores (embedded SQLite and PostgreSQL) implement,
 * so the API and the workers never know which one they talk to.
 */
import type { Decision, Outcome } from '../engine/decision.ts';
import { isStorableText, MAX_ID_LENGTH, type Transaction } from '../engine/transaction.ts';

/**
 * Review status of a transaction (the case model, docs/api.md "Cases"): an approved transaction has no case
 * (`none`); a declined one is decided, final unless someone disputes it (`decided`, reopened to `open`); review
 * and block-and-review open a case (`open`), which an analyst puts `under_review` and closes as
 * `confirmed_fraud` or `legitimate`. Every change is audited; the two verdicts feed the engine a label.
 */
export const CASE_STATUSES = [
  'none',
  'decided',
  'open',
  'under_review',
  'confirmed_fraud',
  'legitimate',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** What an analyst may set with a verdict (PUT /api/v1/anomalies/{id}). */
export const VERDICT_STATUSES = ['under_review', 'confirmed_fraud', 'legitimate'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

/** The statuses a reopen starts from: a closed case, or a decline someone disputes. */
export const REOPENABLE_STATUSES: readonly CaseStatus[] = ['decided', 'confirmed_fraud', 'legitimate'];

/** The status a new decision is stored with: only review and block-and-review open a case. */
export function initialCaseStatus(outcome: Outcome): CaseStatus {
  return outcome === 'approve' ? 'none' : outcome === 'decline' ? 'decided' : 'open';
}

export interface StoredTransaction {
  transaction: Transaction;
  decision: Decision;
  status: CaseStatus;
  decided_at: number;
  updated_at: number;
}

export interface NewDecision {
  transaction: Transaction;
  decision: Decision;
  /** Hash of the submitted payload, to tell a resubmission from a different transaction with the same id. */
  payload_hash: string;
  decided_at: number;
  /** The feature vector the decision saw (catalog order), kept so proposed rules can be dry-run on it. */
  features?: Float64Array;
}

/** A stored decision with the features it saw, for re-evaluating proposed rules. */
export interface DecisionWithFeatures {
  transaction: Transaction;
  decision: Decision;
  status: CaseStatus;
  /** Null for rows stored before features were kept, or whose vector has another length than today's catalog. */
  features: Float64Array | null;
  /** When it was decided (epoch ms); with the transaction id, where the next page of recentDecisions starts. */
  decided_at: number;
}

/** The database as /health reports it; `reason` says why it is not healthy. */
export interface DatabaseHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  reason?: string;
}

/** The last row of a page of recentDecisions: the next page starts after it. */
export interface RecentCursor {
  decided_at: number;
  transaction_id: string;
}

/** Counts over decisions made in [from, to), for the overview page. */
export interface DecisionStats {
  /** Decisions per time bucket and outcome: bucket start (epoch ms) → counts in OUTCOMES order. */
  buckets: { start: number; counts: number[] }[];
  /** Totals in OUTCOMES order. */
  outcomes: number[];
  /** Review statuses of those decisions, in CASE_STATUSES order. */
  statuses: number[];
  /** Score histogram: SCORE_BINS equal bins over [0,1]. */
  scores: number[];
}

export const SCORE_BINS = 20;

/** created: stored now; duplicate: the same payload was stored before (its decision is returned); conflict: the id
 * is taken by a different payload. */
export type SaveResult =
  | { kind: 'created'; decision: Decision }
  | { kind: 'duplicate'; decision: Decision }
  | { kind: 'conflict'; decision: Decision };

export interface AnomalyQuery {
  status?: CaseStatus;
  outcome?: Outcome;
  min_score?: number;
  account_id?: string;
  /** Transaction time bounds, epoch ms: [from, to). */
  from?: number;
  to?: number;
  sort?: 'score' | 'time';
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  transaction_id: string | null;
  old_value: string | null;
  new_value: string | null;
  note: string | null;
  /** The hash chain (docs/security.md): the previous entry's hash, and this entry's over its fields and that. */
  prev_hash: string | null;
  hash: string | null;
}

/** An entry as callers hand it to the store, which numbers it and chains it to the one before. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'prev_hash' | 'hash'>;

export interface AuditQuery {
  transaction_id?: string;
  actor?: string;
  action?: string;
  /** Entry time bounds, epoch ms: [from, to). */
  from?: number;
  to?: number;
  /** By id: oldest first (default) or newest first. */
  order?: 'asc' | 'desc';
  /** Only entries with an id above / below this one (keyset pagination). */
  after_id?: number;
  before_id?: number;
  limit?: number;
}

/**
 * What a status change did: `changed` (stored and audited), `unchanged` (the case already had that status: nothing
 * written, so a verdict given twice is audited once) or `refused` (the case was not in a status the change may
 * start from; nothing written).
 */
export interface StatusChange {
  result: 'changed' | 'unchanged' | 'refused';
  old_status: CaseStatus;
  new_status: CaseStatus;
  transaction: Transaction;
}

/** Options of a status change: the audit action it is recorded as, and the statuses it may start from. */
export interface StatusChangeOptions {
  /** `status_change` (a verdict) unless told otherwise, e.g. `case_reopened`. */
  action?: string;
  /** When given, a case in another status is left alone (`refused`). */
  onlyFrom?: readonly CaseStatus[];
}

/** Who may do what: see docs/security.md for the route x role table. */
export const ROLES = ['service', 'analyst', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 of the key; the key itself is shown once, at creation, and never stored. */
  key_hash: string;
  created_at: number;
  /** When it was or will be revoked (a rotated key may live on for a grace period); null when not revoked. */
  revoked_at: number | null;
  /** When it stops working; null or absent: never. */
  expires_at?: number | null;
}

export interface RuleVersionRecord {
  seq: number;
  version: string;
  /** The rules document as published (JSON text). */
  document: string;
  published_at: number;
  published_by: string;
}

/**
 * What publishing a rules version did: `created` stored it; `exists` stored nothing, because that version name
 * was published before (`existing` is its first publication, to compare documents with).
 */
export type RulePublishResult = { kind: 'created' } | { kind: 'exists'; existing: RuleVersionRecord };

/** A version of the decision settings (thresholds, bypass, bypass score); the newest is the one in force. */
export interface SettingsVersionRecord {
  seq: number;
  /** The whole DecisionSettings as JSON text. */
  settings: string;
  changed_at: number;
  changed_by: string;
}

/** Where a page of `decidedBetween` ends: the next page starts after this decision. */
export interface DecidedCursor {
  decided_at: number;
  transaction_id: string;
}

/** An analyst's verdict on a stored transaction (from the audit trail), for rebuilding merchant label risk. */
export interface StoredVerdict {
  /** The audit entry that recorded it; verdicts are paged by it. */
  audit_id: number;
  transaction_id: string;
  merchant_id: string;
  fraud: boolean;
  /** When the verdict was given, epoch ms. */
  at: number;
}

/** The dimensions the fraud-pattern report compares (docs/reports.md). */
export const PATTERN_DIMENSIONS = [
  'merchant_category',
  'country',
  'channel',
  'hour',
  'amount_band',
  'merchant',
  'device',
] as const;
export type PatternDimension = (typeof PATTERN_DIMENSIONS)[number];

/** Decisions and flagged decisions (outcome other than approve) with one value of a dimension; null: none given. */
export interface PatternCount {
  dimension: PatternDimension;
  value: string | null;
  decisions: number;
  flagged: number;
}

/** What the weekly report groups over a week's decisions, in the store. */
export interface DecisionBreakdown {
  /** Block-and-review and decline decisions per currency, with the sum of their amounts. */
  blocked: { currency: string; decisions: number; amount: number }[];
  /** Decisions each rule fired on (rule reasons), most first. */
  rules: { rule: string; hits: number }[];
  /** Decisions per model version that decided them (null: no model answered), most first. */
  models: { model_version: string | null; decisions: number }[];
}

export interface DecisionStore {
  readonly kind: 'embedded' | 'postgres';
  /** Applies pending migrations; returns the schema version. */
  migrate(): Promise<number>;
  /** Stores transactions with their decisions, each atomically, all in one transaction (group commit). */
  saveDecisions(records: NewDecision[]): Promise<SaveResult[]>;
  getTransaction(transactionId: string): Promise<StoredTransaction | null>;
  /** Payload hash and decision of those ids that are stored (one query for a whole batch). */
  findDecisions(transactionIds: string[]): Promise<Map<string, { payload_hash: string; decision: Decision }>>;
  /** Flagged transactions (outcome other than approve), filtered, sorted, one page at a time. */
  listAnomalies(query: AnomalyQuery): Promise<Page<StoredTransaction>>;
  countAnomalies(query: AnomalyQuery): Promise<number>;
  /**
   * Changes a case's status and writes the audit entry in the same database transaction; null for an unknown id.
   * Setting the status a case already has writes nothing (`unchanged`); see StatusChange.
   */
  setStatus(
    transactionId: string,
    status: CaseStatus,
    actor: string,
    note: string | null,
    at: number,
    options?: StatusChangeOptions,
  ): Promise<StatusChange | null>;
  /** Appends an audit entry that is not a status change (settings, rules, keys), chained to the one before. */
  audit(entry: NewAuditEntry): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Stores a key, and `audit` with it in the same database transaction. */
  createApiKey(key: ApiKeyRecord, audit?: NewAuditEntry): Promise<void>;
  /** The key with this hash, revoked or not; null when none. */
  findApiKey(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Marks a key revoked (and audits it, atomically); false for an unknown or already revoked id. */
  revokeApiKey(id: string, at: number, audit?: NewAuditEntry): Promise<boolean>;
  /**
   * Stores `next`, marks key `id` revoked from `revokeAt` on, and audits, in one database transaction; false
   * (and nothing stored) for an unknown or already revoked id.
   */
  rotateApiKey(id: string, next: ApiKeyRecord, revokeAt: number, audit: NewAuditEntry): Promise<boolean>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Appends a published rules document (the newest is the one in force), and `audit` with it atomically. */
  saveRuleVersion(record: Omit<RuleVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<void>;
  /**
   * Stores a new rules version (and `audit` with it atomically) unless a version of that name was published
   * before; the check and the insert are one step for every process on the database.
   */
  publishRuleVersion(
    record: Omit<RuleVersionRecord, 'seq'>,
    audit?: NewAuditEntry,
  ): Promise<RulePublishResult>;
  /** Published documents, newest first (a rollback is recorded as a publication of the older document). */
  listRuleVersions(limit: number): Promise<RuleVersionRecord[]>;
  /** The first publication of `version`; null when it was never published. */
  findRuleVersion(version: string): Promise<RuleVersionRecord | null>;
  /** Appends a version of the decision settings (the newest is in force) and `audit` atomically; returns its seq. */
  saveSettingsVersion(record: Omit<SettingsVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<number>;
  /** Settings versions, newest first. */
  listSettingsVersions(limit: number): Promise<SettingsVersionRecord[]>;
  /** One settings version by its seq; null when there is none. */
  getSettingsVersion(seq: number): Promise<SettingsVersionRecord | null>;
  /** The most recently decided transactions with their features, newest first; after `after` when given. */
  recentDecisions(limit: number, after?: RecentCursor): Promise<DecisionWithFeatures[]>;
  /** Outcome counts per `bucketMs` bucket, statuses and the score histogram of decisions made in [from, to). */
  decisionStats(from: number, to: number, bucketMs: number): Promise<DecisionStats>;
  /** The account's most recent transactions (by transaction time), newest first. */
  accountTransactions(accountId: string, limit: number): Promise<StoredTransaction[]>;
  /**
   * Up to `limit` stored transactions decided before `cutoff` (epoch ms), oldest first, for archiving; with
   * `keepCases`, open cases and confirmed fraud are left out.
   */
  oldestDecidedBefore(cutoff: number, limit: number, keepCases?: boolean): Promise<StoredTransaction[]>;
  /** How many transactions were decided before `cutoff`, and how many of them are open cases or confirmed fraud. */
  countDecidedBefore(cutoff: number): Promise<{ rows: number; cases: number }>;
  /**
   * Up to `limit` transactions decided in [from, until), in decision order (decided_at, then id), starting after
   * `after`: the history a restarted engine records again.
   */
  decidedBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<StoredTransaction[]>;
  /**
   * Up to `limit` verdicts, oldest first after audit entry `after`: each status change to confirmed fraud or
   * legitimate of a stored transaction with a merchant, as `review` gave them to the engine.
   */
  listVerdicts(after: number | null, limit: number): Promise<StoredVerdict[]>;
  /** Blocked amounts, rule hits and model versions of the decisions made in [from, to) (weekly report). */
  decisionBreakdown(from: number, to: number): Promise<DecisionBreakdown>;
  /** Decisions and flagged decisions per value of each pattern dimension, decided in [from, to). */
  patternCounts(from: number, to: number): Promise<PatternCount[]>;
  /** Cases (review, block-and-review decisions) made in [from, to) per UTC day (epoch ms of its midnight). */
  casesByDay(from: number, to: number): Promise<{ day: number; cases: number }[]>;
  /** Those of these transactions that are stored and were decided in [from, to), in no particular order. */
  transactionsDecidedIn(ids: readonly string[], from: number, to: number): Promise<StoredTransaction[]>;
  /** Deletes these transactions; returns how many were deleted. Their audit entries stay. */
  deleteTransactions(ids: string[]): Promise<number>;
  /** Is the database reachable (for /health). */
  ping(): Promise<boolean>;
  /** Healthy, degraded (slow: timeouts) or unhealthy, for /health; without it, ping decides. */
  databaseHealth?(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

export const MAX_PAGE = 1000;

/** Cursor for keyset pagination: the sort key and the id of the last item, opaque to clients. */
export function encodeCursor(key: number, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

/**
 * Checks what a client may have crafted: the key must be what `sort` pages by (a score in [0, 1], or whole epoch
 * milliseconds that fit a BIGINT) and the id one a transaction can have. RangeError `cursor: ...` otherwise.
 */
export function decodeCursor(
  cursor: string,
  sort: AnomalyQuery['sort'] = 'score',
): { key: number; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const [key, id] = Array.isArray(parsed) && parsed.length === 2 ? (parsed as unknown[]) : [];
  const keyFits =
    typeof key === 'number' &&
    (sort === 'time' ? Number.isSafeInteger(key) : Number.isFinite(key) && key >= 0 && key <= 1);
  const idFits = typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && isStorableText(id);
  if (!keyFits || !idFits) throw new RangeError(`cursor: not a cursor this server issued for sort=${sort}`);
  return { key, id };
}
