/**
 * The production store: PostgreSQL through node-postgres. A batch of decisions is one multi-row INSERT ... ON
 * CONFLICT DO NOTHING inside one transaction (group commit); migrations run under an advisory lock so several
 * processes starting at once apply each version exactly once.
 */
import pg from 'pg';
import type { Decision } from '../engine/decision.ts';
import { PostgresWebhooks } from './webhook-postgres.ts';
import { PostgresCases } from './postgres-cases.ts';
import { RECOUNT_ALERTS_SQL } from './case-queries.ts';
import { auditHash, GENESIS } from './audit-chain.ts';
import { statusChangeResult } from './case-transitions.ts';
import { MIGRATIONS } from './migrations.ts';
import {
  fromModelVersionRow,
  MODEL_VERSION_INSERT_COLUMNS,
  MODEL_VERSIONS_SQL,
  modelVersionValues,
  ModelVersionsChanged,
} from './model-version-queries.ts';
import {
  END_SNOOZE_SQL,
  listSnoozesSql,
  SNOOZE_BY_ID_SQL,
  SNOOZE_COLUMNS,
  snoozeActive,
  snoozeValues,
  type RuleSnoozeRecord,
  type SnoozeEnd,
  type SnoozeQuery,
} from './snooze-queries.ts';
import {
  changedQueue,
  DELETE_QUEUE_SQL,
  fromQueueRow,
  INSERT_QUEUE_SQL,
  LIST_QUEUES_SQL,
  QUEUE_BY_NAME_SQL,
  queueValues,
  UPDATE_QUEUE_SQL,
  updateQueueValues,
  type QueueChanges,
} from './queue-queries.ts';
import { queueDefinitionText } from '../cases/queue-audit.ts';
import type { QueueRecord } from '../cases/queue-model.ts';
import {
  breakdownSql,
  CASES_BY_DAY_SQL,
  foldBreakdown,
  fromCasesRow,
  fromPatternRow,
  patternCountsSql,
  POSTGRES_REPORT_DIALECT,
} from './report-queries.ts';
import { isDroppedConnection, isTimeout, StoreTimeoutError } from './store-errors.ts';
import {
  ABANDONED_RESULT,
  fromTrainingRunRow,
  newTrainingRunValues,
  trainingRunsSql,
  type TrainingRunRow,
} from './training-run-rows.ts';
import {
  anomalyWhere,
  AUDIT_INSERT_COLUMNS,
  auditInsertValues,
  auditLimit,
  CASE_CONDITION,
  FIRST_RULE_VERSION_SQL,
  auditOrder,
  auditWhere,
  decisionRowValues,
  featuresFromBytes,
  featuresToBytes,
  foldStats,
  fromRow,
  nextCursorKey,
  orderBy,
  pageLimit,
  RECENT_DECISIONS_SQL,
  statsSql,
  TRANSACTION_COLUMNS,
  VERDICTS_SQL,
  fromVerdictRow,
  fromLabelRow,
  LABEL_COLUMNS,
  LABELS_AFTER_SQL,
  LABEL_OF_SQL,
  labelAuditEntry,
  labelResult,
  storedLabel,
  type LabelRow,
  fromModelScoreRow,
  MODEL_SCORES_SQL,
  type ModelScoreDbRow,
  type TransactionRow,
  type VerdictRow,
} from './queries.ts';
import {
  encodeCursor,
  type AnomalyQuery,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditQuery,
  type CaseStatus,
  type DatabaseHealth,
  type DecisionStats,
  type DecisionStore,
  type DecisionWithFeatures,
  type DecidedCursor,
  type ModelVersionRecord,
  type ModelVersionsUpdate,
  type RecentCursor,
  type NewAuditEntry,
  type QueueAudit,
  type NewDecision,
  type Page,
  type RulePublishResult,
  type RuleVersionRecord,
  type SettingsVersionRecord,
  type SaveResult,
  type StatusChange,
  type StatusChangeOptions,
  type StoredTransaction,
  type StoredVerdict,
  type LabelResult,
  type NewLabel,
  type StoredLabel,
  type ModelScoreRow,
  type NewTrainingRun,
  type TrainingClaim,
  type TrainingRunRecord,
  type TrainingRunResult,
  type TrainingStatus,
  type DecisionBreakdown,
  type PatternCount,
} from './types.ts';

const placeholder = (n: number): string => `$${n}`;
const TRAINING_RUNS = trainingRunsSql(placeholder);
const MIGRATION_LOCK = 0x66726175; // "frau"
/** Held by the one transaction appending to the audit trail at a time, so the hash chain stays a line. */
const AUDIT_LOCK = 0x61756474; // "audt"
/** Held while a rules version is checked for and published, so a version name is stored once. */
const RULES_LOCK = 0x72756c65; // "rule"
/** Held while model versions are added or moved, so stage checks and champion numbers see one order. */
const MODELS_LOCK = 0x6d6f646c; // "modl"
/**
 * A batch travels as one JSON parameter, an array of rows (each an array in column order, the features as
 * base64), which PostgreSQL takes apart with its own JSON parser: one JSON.stringify on our side instead of
 * node-postgres escaping every string of 13 array literals (the payload and decision JSON are mostly quotes to
 * escape), which was most of a stream worker's time in the store. The statement text never changes, so it is
 * prepared once per connection.
 */
const INSERT_DECISIONS = `INSERT INTO transactions (transaction_id, account_id, merchant_id, amount, occurred_at, payload,
    payload_hash, score, outcome, decision, status, decided_at, updated_at, model_version, decided_by, shadow_version,
    shadow_score, features)
  SELECT r->>0, r->>1, r->>2, (r->>3)::float8, (r->>4)::int8, r->>5, r->>6, (r->>7)::float8, r->>8, r->>9, r->>11,
         (r->>10)::int8, (r->>10)::int8, r->>12, r->>13, r->>14, (r->>15)::float8, decode(r->>16, 'base64')
  FROM jsonb_array_elements($1::jsonb) AS rows(r)
  ON CONFLICT (transaction_id) DO NOTHING RETURNING transaction_id`;

/**
 * An account or merchant id with a lone surrogate (JSON.parse makes one of "\ud800" in a request body) would
 * travel as that escape, which PostgreSQL's JSON parser refuses, failing every decision of the batch with it. As
 * a query parameter the same string becomes U+FFFD in UTF-8, so it is stored that way and lookups by it find it.
 */
const LONE_SURROGATE = /\p{Cs}/gu;
const asUtf8 = (text: string): string => text.replace(LONE_SURROGATE, '\ufffd');

// BIGINT (epoch ms, ids) as numbers: all fit in 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface PostgresTimeouts {
  /** Getting a connection, new or from the pool. */
  connectMs: number;
  /** One statement, cancelled by the server past it (statement_timeout); the client stops waiting a second later. */
  statementMs: number;
}

export const DEFAULT_POSTGRES_TIMEOUTS: Readonly<PostgresTimeouts> = Object.freeze({
  connectMs: 5000,
  statementMs: 5000,
});

/** After a timeout, /health says the database is degraded for this long. */
const DEGRADED_AFTER_TIMEOUT_MS = 30_000;
/** The health check's own bound: it must answer even while statements hang. */
const PING_TIMEOUT_MS = 2000;

export class PostgresStore implements DecisionStore {
  readonly kind = 'postgres' as const;
  readonly timeouts: PostgresTimeouts;
  private readonly pool: pg.Pool;
  private lastTimeoutAt = -Infinity;

  constructor(
    private readonly connectionString: string,
    poolSize = 10,
    timeouts: Partial<PostgresTimeouts> = {},
  ) {
    this.timeouts = { ...DEFAULT_POSTGRES_TIMEOUTS, ...timeouts };
    this.pool = new pg.Pool({
      connectionString,
      max: poolSize,
      connectionTimeoutMillis: this.timeouts.connectMs,
      statement_timeout: this.timeouts.statementMs,
      // A hung server or network does not even cancel: the client gives up on its own.
      query_timeout: this.timeouts.statementMs + 1000,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.webhooks = new PostgresWebhooks({
      inTransaction: (work) => this.inTransaction(work),
      query: (sql, values) => this.query(sql, values),
      appendAudit: (c, entry) => this.appendAudit(c, entry),
    });
    this.cases = new PostgresCases({
      inTransaction: (work) => this.inTransaction(work),
      query: (sql, values) => this.read(sql, values),
      appendAudit: (c, entry) => this.appendAudit(c, entry),
    });
  }

  readonly webhooks: PostgresWebhooks;
  readonly cases: PostgresCases;

  /** A timeout becomes a StoreTimeoutError (and /health degraded for a while); anything else passes as is. */
  private failure(error: unknown): unknown {
    if (!isTimeout(error)) return error;
    this.lastTimeoutAt = Date.now();
    const statement =
      (error as { code?: string }).code === '57014' || (error as Error).message === 'Query read timeout';
    return new StoreTimeoutError(
      statement
        ? `the database did not answer within ${this.timeouts.statementMs} ms`
        : `no database connection within ${this.timeouts.connectMs} ms`,
      error,
    );
  }

  private async query<R extends pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (e) {
      throw this.failure(e);
    }
  }

  /**
   * An idempotent read, tried once more (on a fresh connection: the pool drops a broken one) when its
   * connection broke under it. A timeout is not retried: the database is slow, and a second try would double
   * the wait and the load.
   */
  private async read<R extends pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (e) {
      if (!isDroppedConnection(e)) throw this.failure(e);
      return this.query<R>(sql, params);
    }
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.failure(e);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.failure(e);
    } finally {
      client.release();
    }
  }

  /** Migrations may rewrite large tables: they run on a connection of their own, without statement timeouts. */
  async migrate(): Promise<number> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: this.timeouts.connectMs,
    });
    await client.connect();
    try {
      await client.query('BEGIN');
      const version = await this.applyMigrations(client);
      await client.query('COMMIT');
      return version;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async applyMigrations(c: pg.Client): Promise<number> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.sql.postgres);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        m.version,
        Date.now(),
      ]);
    }
    return Math.max(current, ...MIGRATIONS.map((m) => m.version));
  }

  async saveDecisions(records: NewDecision[]): Promise<SaveResult[]> {
    if (records.length === 0) return [];
    // A repeated id inside one batch is inserted once; its repeats compare with the first occurrence.
    const firstIndex = new Map<string, number>();
    records.forEach((r, i) => {
      if (!firstIndex.has(r.transaction.transaction_id)) firstIndex.set(r.transaction.transaction_id, i);
    });
    const unique = [...firstIndex.values()].map((i) => records[i]!);
    return this.inTransaction(async (c) => {
      const rows = unique.map((r) => {
        const values = decisionRowValues(r); // updated_at starts as decided_at (column 10)
        values[1] = asUtf8(values[1]);
        if (values[2] !== null) values[2] = asUtf8(values[2]);
        return [...values, r.features === undefined ? null : featuresToBytes(r.features)!.toString('base64')];
      });
      const inserted = await c.query<{ transaction_id: string }>({
        name: 'fraudwatch_save_decisions',
        text: INSERT_DECISIONS,
        values: [JSON.stringify(rows)],
      });
      const created = new Set(inserted.rows.map((r) => r.transaction_id));
      const reference = new Map<string, { hash: string; decision: Decision }>();
      for (const r of unique) {
        if (created.has(r.transaction.transaction_id)) {
          reference.set(r.transaction.transaction_id, { hash: r.payload_hash, decision: r.decision });
        }
      }
      const missing = unique
        .filter((r) => !created.has(r.transaction.transaction_id))
        .map((r) => r.transaction.transaction_id);
      if (missing.length > 0) {
        const { rows } = await c.query<{ transaction_id: string; payload_hash: string; decision: string }>(
          'SELECT transaction_id, payload_hash, decision FROM transactions WHERE transaction_id = ANY($1)',
          [missing],
        );
        for (const row of rows)
          reference.set(row.transaction_id, { hash: row.payload_hash, decision: JSON.parse(row.decision) });
      }
      return records.map((r, i): SaveResult => {
        const id = r.transaction.transaction_id;
        if (firstIndex.get(id) === i && created.has(id)) return { kind: 'created', decision: r.decision };
        const ref = reference.get(id)!;
        return { kind: ref.hash === r.payload_hash ? 'duplicate' : 'conflict', decision: ref.decision };
      });
    });
  }

  async getTransaction(transactionId: string): Promise<StoredTransaction | null> {
    const { rows } = await this.read<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE transaction_id = $1`,
      [transactionId],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async findDecisions(ids: string[]): Promise<Map<string, { payload_hash: string; decision: Decision }>> {
    const found = new Map<string, { payload_hash: string; decision: Decision }>();
    if (ids.length === 0) return found;
    const { rows } = await this.read<{
      transaction_id: string;
      payload_hash: string;
      decision: string;
    }>('SELECT transaction_id, payload_hash, decision FROM transactions WHERE transaction_id = ANY($1)', [
      ids,
    ]);
    for (const r of rows)
      found.set(r.transaction_id, { payload_hash: r.payload_hash, decision: JSON.parse(r.decision) });
    return found;
  }

  async listAnomalies(q: AnomalyQuery): Promise<Page<StoredTransaction>> {
    const limit = pageLimit(q);
    const { where, params } = anomalyWhere(q, placeholder, true);
    const { rows } = await this.read<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE ${where} ORDER BY ${orderBy(q)} LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    const items = rows.map(fromRow);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor:
        items.length === limit && last
          ? encodeCursor(nextCursorKey(q, last), last.transaction.transaction_id)
          : null,
    };
  }

  async countAnomalies(q: AnomalyQuery): Promise<number> {
    const { where, params } = anomalyWhere(q, placeholder, false);
    const { rows } = await this.read<{ n: string }>(
      `SELECT COUNT(*) AS n FROM transactions WHERE ${where}`,
      params,
    );
    return Number(rows[0]!.n);
  }

  async setStatus(
    transactionId: string,
    status: CaseStatus,
    actor: string,
    note: string | null,
    at: number,
    options: StatusChangeOptions = {},
  ): Promise<StatusChange | null> {
    return this.inTransaction(async (c) => {
      const { rows } = await c.query<{ status: CaseStatus; payload: string }>(
        'SELECT status, payload FROM transactions WHERE transaction_id = $1 FOR UPDATE',
        [transactionId],
      );
      const row = rows[0];
      if (!row) return null;
      const transaction = JSON.parse(row.payload);
      const result = statusChangeResult(row.status, status, options.onlyFrom);
      if (result !== 'changed')
        return { result, old_status: row.status, new_status: row.status, transaction };
      await c.query('UPDATE transactions SET status = $1, updated_at = $2 WHERE transaction_id = $3', [
        status,
        at,
        transactionId,
      ]);
      await this.appendAudit(c, {
        at,
        actor,
        action: options.action ?? 'status_change',
        transaction_id: transactionId,
        old_value: row.status,
        new_value: status,
        note,
      });
      return { result, old_status: row.status, new_status: status, transaction };
    });
  }

  /**
   * Appends an entry chained to the newest one, inside the caller's transaction. The advisory lock is held to the
   * end of that transaction, so appends (of every process on the database) happen one after the other, in id
   * order, each reading the hash the one before committed.
   */
  private async appendAudit(c: pg.PoolClient, entry: NewAuditEntry): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const newest = await c.query<{ hash: string | null }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
    const prev = newest.rows[0]?.hash ?? GENESIS;
    const inserted = await c.query<{ id: number }>(
      `INSERT INTO audit (${AUDIT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      auditInsertValues(entry, prev),
    );
    const id = inserted.rows[0]!.id;
    await c.query('UPDATE audit SET hash = $1 WHERE id = $2', [
      auditHash({ id, ...entry, prev_hash: prev }),
      id,
    ]);
  }

  /**
   * Appends entries in order, chained, in a few statements whatever their number: their ids are taken from the
   * sequence under the audit lock (so they are consecutive and after every committed entry), the hashes computed
   * here, and all rows inserted at once.
   */
  private async appendAuditMany(c: pg.PoolClient, entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const newest = await c.query<{ hash: string | null }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
    const reserved = await c.query<{ id: number }>(
      "SELECT nextval(pg_get_serial_sequence('audit', 'id')) AS id FROM generate_series(1, $1)",
      [entries.length],
    );
    const ids = reserved.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    let prev = newest.rows[0]?.hash ?? GENESIS;
    const rows = entries.map((entry, i) => {
      const id = ids[i]!;
      const hash = auditHash({ id, ...entry, prev_hash: prev });
      const row = { id, ...entry, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await c.query(
      `INSERT INTO audit (id, ${AUDIT_INSERT_COLUMNS}, hash)
       SELECT id, at, actor, action, transaction_id, old_value, new_value, note, prev_hash, hash
       FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, at bigint, actor text, action text, transaction_id text,
         old_value text, new_value text, note text, prev_hash text, hash text)
       ORDER BY id`,
      [JSON.stringify(rows)],
    );
  }

  async audit(entry: NewAuditEntry): Promise<void> {
    await this.inTransaction((c) => this.appendAudit(c, entry));
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const { where, params } = auditWhere(q, placeholder);
    const { rows } = await this.read<AuditEntry>(
      `SELECT * FROM audit ${where} ${auditOrder(q)} LIMIT $${params.length + 1}`,
      [...params, auditLimit(q)],
    );
    return rows;
  }

  private async insertApiKey(c: pg.PoolClient, key: ApiKeyRecord): Promise<void> {
    await c.query(
      'INSERT INTO api_keys (id, name, role, key_hash, created_at, revoked_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [key.id, key.name, key.role, key.key_hash, key.created_at, key.revoked_at, key.expires_at ?? null],
    );
  }

  async createApiKey(key: ApiKeyRecord, audit?: NewAuditEntry): Promise<void> {
    await this.inTransaction(async (c) => {
      await this.insertApiKey(c, key);
      if (audit !== undefined) await this.appendAudit(c, audit);
    });
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.read<ApiKeyRecord>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return rows[0] ?? null;
  }

  async revokeApiKey(id: string, at: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.inTransaction(async (c) => {
      // A rotated key in its grace period (revoked from a later time on) may still be revoked now.
      const r = await c.query(
        'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND (revoked_at IS NULL OR revoked_at > $1)',
        [at, id],
      );
      const revoked = r.rowCount === 1;
      if (revoked && audit !== undefined) await this.appendAudit(c, audit);
      return revoked;
    });
  }

  async rotateApiKey(
    id: string,
    next: ApiKeyRecord,
    revokeAt: number,
    audit: NewAuditEntry,
  ): Promise<boolean> {
    return this.inTransaction(async (c) => {
      const r = await c.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        revokeAt,
        id,
      ]);
      if (r.rowCount !== 1) return false;
      await this.insertApiKey(c, next);
      await this.appendAudit(c, audit);
      return true;
    });
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.read<ApiKeyRecord>('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows;
  }

  async saveRuleVersion(r: Omit<RuleVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<void> {
    await this.inTransaction(async (c) => {
      await c.query(
        'INSERT INTO rule_versions (version, document, published_at, published_by) VALUES ($1, $2, $3, $4)',
        [r.version, r.document, r.published_at, r.published_by],
      );
      if (audit !== undefined) await this.appendAudit(c, audit);
    });
  }

  async listRuleVersions(limit: number): Promise<RuleVersionRecord[]> {
    const { rows } = await this.read<RuleVersionRecord>(
      'SELECT * FROM rule_versions ORDER BY seq DESC LIMIT $1',
      [limit],
    );
    return rows;
  }

  async findRuleVersion(version: string): Promise<RuleVersionRecord | null> {
    const { rows } = await this.read<RuleVersionRecord>(FIRST_RULE_VERSION_SQL('$1'), [version]);
    return rows[0] ?? null;
  }

  async publishRuleVersion(
    r: Omit<RuleVersionRecord, 'seq'>,
    audit?: NewAuditEntry,
  ): Promise<RulePublishResult> {
    return this.inTransaction(async (c): Promise<RulePublishResult> => {
      // Publications of every process one after the other, so two cannot both find the name free.
      await c.query('SELECT pg_advisory_xact_lock($1)', [RULES_LOCK]);
      const found = await c.query<RuleVersionRecord>(FIRST_RULE_VERSION_SQL('$1'), [r.version]);
      if (found.rows[0] !== undefined) return { kind: 'exists', existing: found.rows[0] };
      await c.query(
        'INSERT INTO rule_versions (version, document, published_at, published_by) VALUES ($1, $2, $3, $4)',
        [r.version, r.document, r.published_at, r.published_by],
      );
      if (audit !== undefined) await this.appendAudit(c, audit);
      return { kind: 'created' };
    });
  }

  async saveSettingsVersion(r: Omit<SettingsVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<number> {
    return this.inTransaction(async (c) => {
      const inserted = await c.query<{ seq: number }>(
        'INSERT INTO settings_versions (settings, changed_at, changed_by) VALUES ($1, $2, $3) RETURNING seq',
        [r.settings, r.changed_at, r.changed_by],
      );
      if (audit !== undefined) await this.appendAudit(c, audit);
      return inserted.rows[0]!.seq;
    });
  }

  async listSettingsVersions(limit: number): Promise<SettingsVersionRecord[]> {
    const { rows } = await this.read<SettingsVersionRecord>(
      'SELECT * FROM settings_versions ORDER BY seq DESC LIMIT $1',
      [limit],
    );
    return rows;
  }

  async getSettingsVersion(seq: number): Promise<SettingsVersionRecord | null> {
    const { rows } = await this.read<SettingsVersionRecord>(
      'SELECT * FROM settings_versions WHERE seq = $1',
      [seq],
    );
    return rows[0] ?? null;
  }

  async listModelVersions(): Promise<ModelVersionRecord[]> {
    const { rows } = await this.read<Parameters<typeof fromModelVersionRow>[0]>(MODEL_VERSIONS_SQL);
    return rows.map(fromModelVersionRow);
  }

  async modelArtifact(id: string): Promise<string | null> {
    const { rows } = await this.read<{ artifact: string | null }>(
      'SELECT artifact FROM model_versions WHERE id = $1',
      [id],
    );
    return rows[0]?.artifact ?? null;
  }

  async updateModelVersions(u: ModelVersionsUpdate): Promise<boolean> {
    try {
      await this.inTransaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MODELS_LOCK]);
        for (const m of u.moves ?? []) {
          const moved = await c.query(
            `UPDATE model_versions SET stage = $1, stage_changed_at = $2, stage_changed_by = $3,
               champion_seq = CASE WHEN $4 THEN (SELECT COALESCE(MAX(champion_seq), 0) + 1 FROM model_versions)
                              ELSE champion_seq END
             WHERE id = $5 AND stage = $6`,
            [m.to, u.at, u.actor, m.new_tenure === true, m.id, m.from],
          );
          if (moved.rowCount !== 1) throw new ModelVersionsChanged(m.id);
        }
        for (const v of u.added ?? []) {
          const inserted = await c.query(
            `INSERT INTO model_versions (${MODEL_VERSION_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO NOTHING`,
            modelVersionValues(v),
          );
          if (inserted.rowCount !== 1) throw new ModelVersionsChanged(v.id);
        }
        for (const entry of u.audit) await this.appendAudit(c, entry);
      });
      return true;
    } catch (e) {
      if (e instanceof ModelVersionsChanged) return false;
      throw e;
    }
  }

  async recentDecisions(limit: number, after?: RecentCursor): Promise<DecisionWithFeatures[]> {
    const [sql, params] =
      after === undefined
        ? [RECENT_DECISIONS_SQL('$1'), [limit]]
        : [
            RECENT_DECISIONS_SQL('$4', ['$1', '$1', '$2', '$3']),
            [after.decided_at, after.decided_at, after.transaction_id, limit],
          ];
    const { rows } = await this.read<{
      payload: string;
      decision: string;
      status: string;
      features: Buffer | null;
      decided_at: number;
    }>(sql, params);
    return rows.map((row) => ({
      transaction: JSON.parse(row.payload),
      decision: JSON.parse(row.decision),
      status: row.status as CaseStatus,
      features: featuresFromBytes(row.features),
      decided_at: row.decided_at,
    }));
  }

  async decisionStats(from: number, to: number, bucketMs: number): Promise<DecisionStats> {
    const sql = statsSql(placeholder, 'LEAST(FLOOR(score * 20)::int, 19)', bucketMs);
    const [buckets, statuses, scores] = await Promise.all([
      this.read<never>(sql.buckets, [from, to]),
      this.read<never>(sql.statuses, [from, to]),
      this.read<never>(sql.scores, [from, to]),
    ]);
    return foldStats(buckets.rows, statuses.rows, scores.rows);
  }

  async accountTransactions(accountId: string, limit: number): Promise<StoredTransaction[]> {
    const { rows } = await this.read<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE account_id = $1 ORDER BY occurred_at DESC LIMIT $2`,
      [accountId, limit],
    );
    return rows.map(fromRow);
  }

  async oldestDecidedBefore(cutoff: number, limit: number, keepCases = false): Promise<StoredTransaction[]> {
    const keep = keepCases ? `AND NOT ${CASE_CONDITION}` : '';
    const { rows } = await this.read<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at < $1 ${keep} ORDER BY decided_at, transaction_id LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map(fromRow);
  }

  async countDecidedBefore(cutoff: number): Promise<{ rows: number; cases: number }> {
    const { rows } = await this.pool.query<{ n: string; cases: string }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN ${CASE_CONDITION} THEN 1 ELSE 0 END), 0) AS cases
       FROM transactions WHERE decided_at < $1`,
      [cutoff],
    );
    return { rows: Number(rows[0]!.n), cases: Number(rows[0]!.cases) };
  }

  async decidedBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<StoredTransaction[]> {
    const { rows } =
      after === null
        ? await this.pool.query<TransactionRow>(
            `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at >= $1 AND decided_at < $2
             ORDER BY decided_at, transaction_id LIMIT $3`,
            [from, until, limit],
          )
        : await this.pool.query<TransactionRow>(
            `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at >= $1 AND decided_at < $2
             AND (decided_at > $3 OR transaction_id > $4)
             ORDER BY decided_at, transaction_id LIMIT $5`,
            // The cursor's time is the range's lower bound, so each page starts where the last ended in the index.
            [Math.max(from, after.decided_at), until, after.decided_at, after.transaction_id, limit],
          );
    return rows.map(fromRow);
  }

  async modelScoresBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<ModelScoreRow[]> {
    const { rows } = await this.pool.query<ModelScoreDbRow>(
      MODEL_SCORES_SQL(placeholder, after !== null),
      after === null
        ? [from, until, limit]
        : [Math.max(from, after.decided_at), until, after.decided_at, after.transaction_id, limit],
    );
    return rows.map(fromModelScoreRow);
  }

  async listVerdicts(after: number | null, limit: number): Promise<StoredVerdict[]> {
    const { rows } = await this.pool.query<VerdictRow>(VERDICTS_SQL('$1', '$2'), [after ?? 0, limit]);
    return rows.map(fromVerdictRow);
  }

  async recordLabels(labels: readonly NewLabel[], actor: string, at: number): Promise<LabelResult[]> {
    if (labels.length === 0) return [];
    return this.inTransaction(async (c) => {
      // Label writers (of every process) one after the other, each reading the seq the one before committed:
      // seq is the order of commits, so a follower reading past its last seq misses nothing. The audit lock
      // serves, since every stored label appends an entry.
      await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const ids = [...new Set(labels.map((l) => l.transaction_id))];
      const [transactions, before, last] = await Promise.all([
        c.query<{ transaction_id: string; status: string; merchant_id: string | null; account_id: string }>(
          'SELECT transaction_id, status, merchant_id, account_id FROM transactions WHERE transaction_id = ANY($1)',
          [ids],
        ),
        c.query<LabelRow>(
          `SELECT ${LABEL_COLUMNS} FROM labels l LEFT JOIN transactions t ON t.transaction_id = l.transaction_id
           WHERE l.transaction_id = ANY($1)`,
          [ids],
        ),
        c.query<{ s: number }>('SELECT COALESCE(MAX(seq), 0)::int8 AS s FROM labels'),
      ]);
      const cases = new Map(transactions.rows.map((r) => [r.transaction_id, r]));
      const existing = new Map(before.rows.map((r) => [r.transaction_id, fromLabelRow(r)]));
      let seq = Number(last.rows[0]!.s);
      const inserts: StoredLabel[] = [];
      const audits: NewAuditEntry[] = [];
      const results = labels.map((label): LabelResult => {
        const tx = cases.get(label.transaction_id);
        const result = labelResult(tx?.status, existing.get(label.transaction_id), label);
        if (result.result !== 'recorded') return result;
        const stored = storedLabel(label, ++seq, tx!.merchant_id, tx!.account_id, actor, at);
        existing.set(label.transaction_id, stored); // a repeat later in the batch compares with it
        inserts.push(stored);
        audits.push(labelAuditEntry(label, actor, at, result.contradicts_verdict));
        return result;
      });
      if (inserts.length > 0) {
        await c.query(
          `INSERT INTO labels (transaction_id, fraud, source, known_at, recorded_at, recorded_by, seq)
           SELECT transaction_id, CASE WHEN fraud THEN 1 ELSE 0 END, source, known_at, recorded_at, recorded_by, seq
           FROM jsonb_to_recordset($1::jsonb) AS r(transaction_id text, fraud boolean, source text, known_at bigint,
             recorded_at bigint, recorded_by text, seq bigint)`,
          [JSON.stringify(inserts)],
        );
        await this.appendAuditMany(c, audits);
      }
      return results;
    });
  }

  async listLabels(after: number | null, limit: number): Promise<StoredLabel[]> {
    const { rows } = await this.read<LabelRow>(LABELS_AFTER_SQL('$1', '$2'), [after ?? 0, limit]);
    return rows.map(fromLabelRow);
  }

  async getLabel(transactionId: string): Promise<StoredLabel | null> {
    const { rows } = await this.read<LabelRow>(LABEL_OF_SQL('$1'), [transactionId]);
    return rows[0] === undefined ? null : fromLabelRow(rows[0]);
  }

  async claimTrainingRun(
    run: NewTrainingRun,
    abandonBefore: number,
    audit?: NewAuditEntry,
  ): Promise<TrainingClaim> {
    return this.inTransaction(async (c): Promise<TrainingClaim> => {
      await c.query(TRAINING_RUNS.abandon, [run.started_at, ABANDONED_RESULT, abandonBefore]);
      // A concurrent claim waits on the unique index until the first commits, then inserts nothing.
      const inserted = await c.query(TRAINING_RUNS.insert, newTrainingRunValues(run));
      if (inserted.rowCount === 0) {
        const { rows } = await c.query<TrainingRunRow>(TRAINING_RUNS.running);
        return { claimed: false, running: fromTrainingRunRow(rows[0]!) };
      }
      if (audit !== undefined) await this.appendAudit(c, audit);
      return { claimed: true };
    });
  }

  async finishTrainingRun(
    id: string,
    status: Exclude<TrainingStatus, 'running'>,
    result: TrainingRunResult,
    finishedAt: number,
  ): Promise<boolean> {
    const r = await this.query(TRAINING_RUNS.finish, [status, JSON.stringify(result), finishedAt, id]);
    return r.rowCount === 1;
  }

  async listTrainingRuns(limit: number, status?: TrainingStatus): Promise<TrainingRunRecord[]> {
    const { rows } =
      status === undefined
        ? await this.read<TrainingRunRow>(TRAINING_RUNS.list, [limit])
        : await this.read<TrainingRunRow>(TRAINING_RUNS.listOfStatus, [status, limit]);
    return rows.map(fromTrainingRunRow);
  }

  async decisionBreakdown(from: number, to: number): Promise<DecisionBreakdown> {
    const sql = breakdownSql(POSTGRES_REPORT_DIALECT, placeholder);
    const [blocked, rules, models] = await Promise.all([
      this.read<never>(sql.blocked, [from, to]),
      this.read<never>(sql.rules, [from, to]),
      this.read<never>(sql.models, [from, to]),
    ]);
    return foldBreakdown(blocked.rows, rules.rows, models.rows);
  }

  async patternCounts(from: number, to: number): Promise<PatternCount[]> {
    const { rows } = await this.read<never>(patternCountsSql(POSTGRES_REPORT_DIALECT, placeholder), [
      from,
      to,
    ]);
    return rows.map(fromPatternRow);
  }

  async casesByDay(from: number, to: number): Promise<{ day: number; cases: number }[]> {
    const { rows } = await this.read<never>(CASES_BY_DAY_SQL(placeholder), [from, to]);
    return rows.map(fromCasesRow);
  }

  async transactionsDecidedIn(
    ids: readonly string[],
    from: number,
    to: number,
  ): Promise<StoredTransaction[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.read<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE transaction_id = ANY($1) AND decided_at >= $2 AND decided_at < $3`,
      [ids, from, to],
    );
    return rows.map(fromRow);
  }

  async deleteTransactions(ids: string[]): Promise<number> {
    // A deleted transaction leaves its case (the case and its timeline stay, counting the alerts left).
    return this.inTransaction(async (c) => {
      const alerts = await c.query<{ case_id: string }>(
        'DELETE FROM case_alerts WHERE transaction_id = ANY($1) RETURNING case_id',
        [ids],
      );
      for (const caseId of new Set(alerts.rows.map((r) => r.case_id)).values())
        await c.query(RECOUNT_ALERTS_SQL(placeholder), [caseId]);
      const r = await c.query('DELETE FROM transactions WHERE transaction_id = ANY($1)', [ids]);
      return r.rowCount ?? 0;
    });
  }

  async createSnooze(snooze: RuleSnoozeRecord, audit: NewAuditEntry): Promise<void> {
    await this.inTransaction(async (c) => {
      await c.query(
        `INSERT INTO rule_snoozes (${SNOOZE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        snoozeValues(snooze),
      );
      await this.appendAudit(c, audit);
    });
  }

  async endSnooze(id: string, at: number, actor: string, audit: NewAuditEntry): Promise<SnoozeEnd | null> {
    return this.inTransaction(async (c): Promise<SnoozeEnd | null> => {
      // FOR UPDATE: two processes ending one snooze at once end it (and audit it) once.
      const { rows } = await c.query<RuleSnoozeRecord>(`${SNOOZE_BY_ID_SQL(placeholder)} FOR UPDATE`, [id]);
      const row = rows[0];
      if (row === undefined) return null;
      if (!snoozeActive(row, at)) return { result: 'not_active', snooze: row };
      await c.query(END_SNOOZE_SQL(placeholder), [at, actor, id]);
      await this.appendAudit(c, audit);
      return { result: 'ended', snooze: { ...row, ended_at: at, ended_by: actor } };
    });
  }

  async listSnoozes(query: SnoozeQuery): Promise<RuleSnoozeRecord[]> {
    const { sql, params } = listSnoozesSql(query, placeholder);
    return (await this.read<RuleSnoozeRecord>(sql, params)).rows;
  }

  async listQueues(): Promise<QueueRecord[]> {
    return (await this.read<never>(LIST_QUEUES_SQL)).rows.map(fromQueueRow);
  }

  async getQueue(name: string): Promise<QueueRecord | null> {
    const row = (await this.read<never>(QUEUE_BY_NAME_SQL(placeholder), [name])).rows[0];
    return row === undefined ? null : fromQueueRow(row);
  }

  async createQueue(queue: QueueRecord, audit: NewAuditEntry): Promise<boolean> {
    return this.inTransaction(async (c) => {
      const created = (await c.query(INSERT_QUEUE_SQL(placeholder), queueValues(queue))).rowCount === 1;
      if (created) await this.appendAudit(c, audit);
      return created;
    });
  }

  async updateQueue(
    name: string,
    changes: QueueChanges,
    at: number,
    audit: QueueAudit,
  ): Promise<QueueRecord | null> {
    return this.inTransaction(async (c): Promise<QueueRecord | null> => {
      // FOR UPDATE: a change and an auto-assignment (which holds the same lock) never interleave.
      const row = (await c.query<never>(`${QUEUE_BY_NAME_SQL(placeholder)} FOR UPDATE`, [name])).rows[0];
      if (row === undefined) return null;
      const before = fromQueueRow(row);
      const after = changedQueue(before, changes, at, audit.actor);
      await c.query(UPDATE_QUEUE_SQL(placeholder), updateQueueValues(after));
      await this.appendAudit(c, {
        ...audit,
        old_value: queueDefinitionText(before),
        new_value: queueDefinitionText(after),
      });
      return after;
    });
  }

  async deleteQueue(name: string, audit: QueueAudit): Promise<boolean> {
    return this.inTransaction(async (c) => {
      const row = (await c.query<never>(`${QUEUE_BY_NAME_SQL(placeholder)} FOR UPDATE`, [name])).rows[0];
      if (row === undefined) return false;
      await c.query(DELETE_QUEUE_SQL(placeholder), [name]);
      await this.appendAudit(c, {
        ...audit,
        old_value: queueDefinitionText(fromQueueRow(row)),
        new_value: null,
      });
      return true;
    });
  }

  /** What a `SELECT 1` failed with, or null when it answered. */
  private async pingFailure(): Promise<unknown> {
    try {
      // query_timeout per query is honoured by node-postgres, though its types do not list it.
      await this.pool.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig);
      return null;
    } catch (e) {
      return e;
    }
  }

  async ping(): Promise<boolean> {
    return (await this.pingFailure()) === null;
  }

  /** Unhealthy when it cannot be reached; degraded when it is slow (a timeout now or in the last 30 s). */
  async databaseHealth(): Promise<DatabaseHealth> {
    const e = await this.pingFailure();
    if (e !== null) {
      if (!isTimeout(e)) return { status: 'unhealthy', reason: (e as Error).message };
      this.lastTimeoutAt = Date.now();
      return { status: 'degraded', reason: `no answer to a ping within ${PING_TIMEOUT_MS} ms` };
    }
    const since = Date.now() - this.lastTimeoutAt;
    if (since < DEGRADED_AFTER_TIMEOUT_MS)
      return { status: 'degraded', reason: `a statement timed out ${Math.round(since / 1000)} s ago` };
    return { status: 'healthy' };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
