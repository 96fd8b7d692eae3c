/**
 * What the store keeps and the one repository interface both stores (embedded SQLite and PostgreSQL) implement,
 * so the API and the workers never know which one they talk to.
 */
import type { DecidedBy, Decision, Outcome } from '../engine/decision.ts';
import { isStorableText, MAX_ID_LENGTH, type Transaction } from '../engine/transaction.ts';
import type { WebhookStore } from './webhook-types.ts';
import type { RuleSnoozeRecord, SnoozeEnd, SnoozeQuery } from './snooze-queries.ts';
import type { QueueRecord } from '../cases/queue-model.ts';
import type { QueueChanges } from './queue-queries.ts';
import type { CaseStore } from '../cases/case-types.ts';

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
  account_id: string;
  fraud: boolean;
  /** When the verdict was given, epoch ms. */
  at: number;
}

/** A label that arrives after the decision (a chargeback, a fraud report), as callers hand it to the store. */
export interface NewLabel {
  transaction_id: string;
  fraud: boolean;
  /** Where it came from: a file's name, `api`, `chargebacks`. */
  source: string;
  /** When it became known (a chargeback's own date, not the time of import), epoch ms. */
  known_at: number;
}

/** An imported label as stored. */
export interface StoredLabel extends NewLabel {
  /** 1, 2, ... in the order labels were recorded: they are paged, and other processes follow them, by it. */
  seq: number;
  /** The transaction's merchant; null when it has none, or retention deleted the transaction. */
  merchant_id: string | null;
  /** The transaction's account; null when retention deleted the transaction. */
  account_id: string | null;
  recorded_at: number;
  recorded_by: string;
}

/** The analysts' verdict a label contradicts: the case's status when it was recorded. */
export type ContradictedVerdict = 'confirmed_fraud' | 'legitimate';

/**
 * What recording one label did: `recorded` (stored with its audit entry; when it says otherwise than the case's
 * verdict, which one: later evidence such as a chargeback corrects an analyst), `unchanged` (the same label was
 * stored before: nothing written), `unknown_transaction` (no such transaction stored: nothing written) or
 * `conflict` (another label was stored before, `stored`; nothing written).
 */
export type LabelResult =
  | { result: 'recorded'; contradicts_verdict: ContradictedVerdict | null }
  | { result: 'unchanged' }
  | { result: 'unknown_transaction' }
  | { result: 'conflict'; stored: StoredLabel };
/**
 * A decision as the live model metrics read it (columns, no JSON): its score and model set, and the other set's
 * score in the shadow (null without a challenger then).
 */
export interface ModelScoreRow {
  transaction_id: string;
  decided_at: number;
  score: number;
  model_version: string | null;
  decided_by: DecidedBy;
  shadow_score: number | null;
  shadow_version: string | null;
}

/** A model version's stage (issue 13): per kind one champion (in force) and at most one challenger. */
export const MODEL_STAGES = ['challenger', 'champion', 'archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

/** A model version as the store keeps it (docs/models.md, "Stages and promotion"). */
export interface ModelVersionRecord {
  /** The artifact's one id (what decisions carry in model_version). */
  id: string;
  kind: string;
  stage: ModelStage;
  created_at: number;
  stage_changed_at: number;
  stage_changed_by: string;
  /**
   * The order in which versions last became champion by a promotion (null: never champion); a rollback puts
   * back the version of the kind numbered highest below the current champion.
   */
  champion_seq: number | null;
  /** What the listing shows without loading the artifact (JSON text: artifact_version, training, metrics). */
  summary: string;
  /** Whether the store holds the artifact itself (PostgreSQL); otherwise it is a file of the models directory. */
  has_artifact: boolean;
}

/** A version to register: its record and, to keep it in the store, the artifact's JSON text. */
export interface NewModelVersion extends Omit<ModelVersionRecord, 'has_artifact'> {
  artifact: string | null;
}

/** One version moved between stages; refused (nothing written) when it is no longer in stage `from`. */
export interface ModelStageMove {
  id: string;
  from: ModelStage;
  to: ModelStage;
  /** A promotion starts a new tenure as champion: numbered after every other (see champion_seq). */
  new_tenure?: boolean;
}

/** A change of the model registry, written in one database transaction with its audit entries. */
export interface ModelVersionsUpdate {
  /**
   * Applied in order, before `added` (demote before promote: one champion and one challenger per kind at any
   * time).
   */
  moves?: ModelStageMove[];
  /** Versions to add; an id the store knows already refuses the whole update. */
  added?: NewModelVersion[];
  at: number;
  actor: string;
  audit: NewAuditEntry[];
}

/** What started a training run from the store (docs/models.md, "Training from the store"). */
export const TRAINING_TRIGGERS = ['schedule', 'precision', 'manual', 'cli'] as const;
export type TrainingTrigger = (typeof TRAINING_TRIGGERS)[number];
export type TrainingStatus = 'running' | 'done' | 'failed' | 'skipped';

/** The figures of a training run, kept as one JSON value with the run. */
export interface TrainingRunResult {
  /** Decided transactions with features in the window. */
  decisions: number;
  labels: { fraud: number; legit: number; assumed_legit: number };
  /** Artifact ids registered by the run (challengers). */
  produced: string[];
  message: string | null;
}

export interface TrainingRunRecord {
  id: string;
  trigger: TrainingTrigger;
  status: TrainingStatus;
  started_at: number;
  finished_at: number | null;
  actor: string;
  window_ms: number;
  /** No decision after it and no label known after it was used, epoch ms. */
  cutoff: number;
  result: TrainingRunResult;
}

export type NewTrainingRun = Pick<
  TrainingRunRecord,
  'id' | 'trigger' | 'actor' | 'window_ms' | 'cutoff' | 'started_at'
>;

/** A claim either starts the run, or names the run going on (in this process or another on the store). */
export type TrainingClaim = { claimed: true } | { claimed: false; running: TrainingRunRecord };

/** A run still `running` that started before this long ago belongs to a dead process: it is marked failed. */
export const TRAINING_RUN_EXPIRY_MS = 3_600_000;
export const ABANDONED_MESSAGE = 'abandoned: the process training it stopped (running for over an hour)';

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

/** A queue change's audit entry; the store fills in the definitions before and after. */
export type QueueAudit = Omit<NewAuditEntry, 'old_value' | 'new_value'>;

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
   * Up to `limit` decisions made in [from, until) as compact model-score rows, in decision order (decided_at,
   * then id) after `after`: what the live model metrics page through.
   */
  modelScoresBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<ModelScoreRow[]>;
  /**
   * Up to `limit` verdicts, oldest first after audit entry `after`: each status change to confirmed fraud or
   * legitimate of a stored transaction with a merchant, as `review` gave them to the engine.
   */
  listVerdicts(after: number | null, limit: number): Promise<StoredVerdict[]>;
  /**
   * Records labels and their audit entries (`label_recorded`, one per label stored) in one database
   * transaction; one result per label, in order. A label repeated within the batch compares with the first.
   */
  recordLabels(labels: readonly NewLabel[], actor: string, at: number): Promise<LabelResult[]>;
  /** Up to `limit` imported labels in the order they were recorded, after seq `after` (null: from the first). */
  listLabels(after: number | null, limit: number): Promise<StoredLabel[]>;
  /** The imported label of this transaction; null when none. */
  getLabel(transactionId: string): Promise<StoredLabel | null>;
  /**
   * Starts a training run unless one is running on the store (any process): the check and the insert are one
   * step. First, a run left running since before `abandonBefore` is marked failed (ABANDONED_MESSAGE). `audit`
   * is written with the new run, atomically.
   */
  claimTrainingRun(run: NewTrainingRun, abandonBefore: number, audit?: NewAuditEntry): Promise<TrainingClaim>;
  /** Ends a running run with its figures; false (nothing written) when it is not running (abandoned, unknown). */
  finishTrainingRun(
    id: string,
    status: Exclude<TrainingStatus, 'running'>,
    result: TrainingRunResult,
    finishedAt: number,
  ): Promise<boolean>;
  /** Training runs newest first, of one status when given. */
  listTrainingRuns(limit: number, status?: TrainingStatus): Promise<TrainingRunRecord[]>;
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
  /** Every model version, without artifacts, by kind, then oldest first. */
  listModelVersions(): Promise<ModelVersionRecord[]>;
  /** The artifact JSON the store holds for version `id`; null when it holds none (a file) or knows no such id. */
  modelArtifact(id: string): Promise<string | null>;
  /**
   * Adds versions and moves others between stages with the audit entries, in one database transaction; false
   * (nothing written) when another process changed them first (a known id, a version no longer in `from`).
   */
  updateModelVersions(update: ModelVersionsUpdate): Promise<boolean>;
  /** Webhook subscriptions and their delivery outbox (issue 17; webhook-types.ts). */
  readonly webhooks: WebhookStore;
  /** Stores a rule snooze (issue 17) and `audit` with it in one database transaction. */
  createSnooze(snooze: RuleSnoozeRecord, audit: NewAuditEntry): Promise<void>;
  /**
   * Ends a snooze now (`at`, by `actor`) and writes `audit` with it, atomically; a snooze already ended or past
   * its end is left alone (`not_active`, nothing written); null for an unknown id.
   */
  endSnooze(id: string, at: number, actor: string, audit: NewAuditEntry): Promise<SnoozeEnd | null>;
  /** Snoozes matching `query`, newest first. */
  listSnoozes(query: SnoozeQuery): Promise<RuleSnoozeRecord[]>;
  /** Account cases (issue 17; cases/case-types.ts): grouping, routing, assignment, notes, status, backlog. */
  readonly cases: CaseStore;
  /** Case queues (issue 17), by position then name. */
  listQueues(): Promise<QueueRecord[]>;
  getQueue(name: string): Promise<QueueRecord | null>;
  /** Stores a queue and `audit` atomically; false (nothing written) when the name is taken. */
  createQueue(queue: QueueRecord, audit: NewAuditEntry): Promise<boolean>;
  /**
   * Changes a queue and audits it (`audit` with old_value/new_value filled in: the definitions before and after)
   * in one transaction; null (nothing written) for an unknown name.
   */
  updateQueue(
    name: string,
    changes: QueueChanges,
    at: number,
    audit: QueueAudit,
  ): Promise<QueueRecord | null>;
  /** Deletes a queue and audits it (old_value: its definition) atomically; false for an unknown name. */
  deleteQueue(name: string, audit: QueueAudit): Promise<boolean>;
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
