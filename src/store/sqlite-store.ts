/**
 * The embedded store: SQLite through better-sqlite3 (chosen over PGlite for speed and memory: ~172k rows/s in
 * ~100 MB against 33-82k rows/s in ~700 MB here, see docs/storage.md). WAL journal; a batch of decisions is one
 * SQLite transaction (group commit), written by a thread of its own so the server's thread keeps parsing and
 * scoring meanwhile. Reads and the rare other writes (reviews, keys, rules) use this thread's connection.
 */
import type Database from 'better-sqlite3';
import type { Decision } from '../engine/decision.ts';
import { auditHash, GENESIS } from './audit-chain.ts';
import { statusChangeResult } from './case-transitions.ts';
import { MIGRATIONS } from './migrations.ts';
import {
  breakdownSql,
  CASES_BY_DAY_SQL,
  foldBreakdown,
  fromCasesRow,
  fromPatternRow,
  patternCountsSql,
  SQLITE_REPORT_DIALECT,
} from './report-queries.ts';
import {
  anomalyWhere,
  AUDIT_INSERT_COLUMNS,
  auditInsertValues,
  auditLimit,
  CASE_CONDITION,
  FIRST_RULE_VERSION_SQL,
  auditOrder,
  auditWhere,
  featuresFromBytes,
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
  INSERT_LABEL_COLUMNS,
  LABEL_OF_SQL,
  LABELS_AFTER_SQL,
  labelAuditEntry,
  labelResult,
  type LabelRow,
  fromModelScoreRow,
  MODEL_SCORES_SQL,
  type ModelScoreDbRow,
  type TransactionRow,
  type VerdictRow,
} from './queries.ts';
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
import { durabilityOf, openSqlite, type SqliteDurability } from './sqlite-connection.ts';
import { IdFilter } from './id-filter.ts';
import { batchInserter, encodeBatch, type InsertBatch, type InsertOutcome } from './sqlite-insert.ts';
import { SqliteCheckpointer } from './sqlite-checkpointer.ts';
import { SqliteWriterThread } from './sqlite-writer.ts';
import { SqliteWebhooks } from './webhook-sqlite.ts';
import { SqliteCases } from './sqlite-cases.ts';
import { RECOUNT_ALERTS_SQL } from './case-queries.ts';
import {
  ABANDONED_RESULT,
  fromTrainingRunRow,
  newTrainingRunValues,
  trainingRunsSql,
  type TrainingRunRow,
} from './training-run-rows.ts';
import {
  encodeCursor,
  type AnomalyQuery,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditQuery,
  type CaseStatus,
  type DecisionStats,
  type DecisionStore,
  type DecisionWithFeatures,
  type ModelVersionRecord,
  type ModelVersionsUpdate,
  type RecentCursor,
  type NewAuditEntry,
  type QueueAudit,
  type NewDecision,
  type DecidedCursor,
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

const placeholder = (): string => '?';
const TRAINING_RUNS = trainingRunsSql(placeholder);

export class SqliteStore implements DecisionStore {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;

  /** Prepared statements by SQL text: preparing costs more than running a small query. */
  private readonly statements = new Map<string, Database.Statement>();

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Decisions are written by a thread of their own (a file), or on this connection (an in-memory database). */
  private writer: SqliteWriterThread | null;
  private readonly checkpointer: SqliteCheckpointer | null;
  private closed = false;
  private insertInline: ((batch: InsertBatch) => InsertOutcome[]) | null = null;

  /**
   * The ids this store holds, so a lookup asks SQLite only about ids it may hold (src/store/id-filter.ts). Filled
   * from the table in the background after `migrate` and by every write; until the table is read, every id is
   * asked. Another process writing the same file is not seen: its ids are caught by the insert's conflict check,
   * which answers with the stored decision as it does on PostgreSQL.
   */
  private readonly storedIds = new IdFilter();
  private storedIdsLoad: Promise<void> | null = null;
  private storedIdsLoaded = false;
  /** Ids looked up: asked of SQLite, or answered "not stored" by the filter alone. */
  readonly idLookups = { asked: 0, filtered: 0 };

  /** `path` is a file, or ':memory:' for tests. */
  constructor(private readonly path: string) {
    const file = path !== ':memory:';
    this.db = openSqlite(path, { checkpointsElsewhere: file });
    this.writer = file ? new SqliteWriterThread(path) : null;
    this.checkpointer = file ? new SqliteCheckpointer(path) : null;
    this.webhooks = new SqliteWebhooks(
      this.db,
      (work) => this.atomically(work),
      (entry) => this.appendAudit(entry),
    );
    this.cases = new SqliteCases(
      this.db,
      (work) => this.atomically(work),
      (entry) => this.appendAudit(entry),
      this.writer === null ? null : (op, args) => this.liveWriter().sweep(op, args),
    );
  }

  /** The writer thread; one that died (its error failed the requests it held) is replaced by the next write. */
  private liveWriter(): SqliteWriterThread {
    if (this.writer?.failure && !this.closed) this.writer = new SqliteWriterThread(this.path);
    return this.writer!;
  }

  readonly webhooks: SqliteWebhooks;
  readonly cases: SqliteCases;

  async migrate(): Promise<number> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
    );
    const current =
      (this.stmt('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    const apply = this.db.transaction((version: number, sql: string) => {
      this.db.exec(sql);
      this.stmt('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    });
    for (const m of MIGRATIONS) if (m.version > current) apply(m.version, m.sql.sqlite);
    // Once, however often migrate runs. A failed read leaves the filter unused: every id is asked, as before it.
    this.storedIdsLoad ??= this.loadStoredIds().catch(() => undefined);
    return Math.max(current, ...MIGRATIONS.map((m) => m.version));
  }

  /** Reads every stored id into the filter, a few thousand a turn so requests are served meanwhile. */
  private async loadStoredIds(): Promise<void> {
    const page = this.stmt(
      'SELECT transaction_id FROM transactions WHERE transaction_id > ? ORDER BY transaction_id LIMIT 5000',
    ).pluck();
    let after = '';
    for (;;) {
      if (this.closed) return;
      const ids = page.all(after) as string[];
      for (const id of ids) this.storedIds.add(id);
      if (ids.length < 5000) break;
      after = ids[ids.length - 1]!;
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.storedIdsLoaded = true;
  }

  /** True once the filter holds every stored id (tests wait for it). */
  get storedIdsReady(): boolean {
    return this.storedIdsLoaded;
  }

  async saveDecisions(records: NewDecision[]): Promise<SaveResult[]> {
    const batch = encodeBatch(records);
    const outcomes =
      this.writer !== null
        ? await this.liveWriter().insert(batch)
        : (this.insertInline ??= batchInserter(this.db))(batch);
    return outcomes.map((stored, i): SaveResult => {
      const record = records[i]!;
      this.storedIds.add(record.transaction.transaction_id);
      if (stored === null) return { kind: 'created', decision: record.decision };
      return {
        kind: stored.payload_hash === record.payload_hash ? 'duplicate' : 'conflict',
        decision: JSON.parse(stored.decision),
      };
    });
  }

  async getTransaction(transactionId: string): Promise<StoredTransaction | null> {
    const row = this.stmt(`SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE transaction_id = ?`).get(
      transactionId,
    ) as TransactionRow | undefined;
    return row ? fromRow(row) : null;
  }

  async findDecisions(ids: string[]): Promise<Map<string, { payload_hash: string; decision: Decision }>> {
    const found = new Map<string, { payload_hash: string; decision: Decision }>();
    const asked = this.storedIdsLoaded ? ids.filter((id) => this.storedIds.mayContain(id)) : ids;
    this.idLookups.asked += asked.length;
    this.idLookups.filtered += ids.length - asked.length;
    for (let i = 0; i < asked.length; i += 500) {
      const chunk = asked.slice(i, i + 500);
      const rows = this.stmt(
        `SELECT transaction_id, payload_hash, decision FROM transactions WHERE transaction_id IN (${chunk.map(() => '?').join(',')})`,
      ).all(...chunk) as { transaction_id: string; payload_hash: string; decision: string }[];
      for (const r of rows)
        found.set(r.transaction_id, { payload_hash: r.payload_hash, decision: JSON.parse(r.decision) });
    }
    return found;
  }

  async listAnomalies(q: AnomalyQuery): Promise<Page<StoredTransaction>> {
    const limit = pageLimit(q);
    const { where, params } = anomalyWhere(q, placeholder, true);
    const rows = this.stmt(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE ${where} ORDER BY ${orderBy(q)} LIMIT ?`,
    ).all(...params, limit) as TransactionRow[];
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
    return (
      this.stmt(`SELECT COUNT(*) AS n FROM transactions WHERE ${where}`).get(...params) as { n: number }
    ).n;
  }

  async setStatus(
    transactionId: string,
    status: CaseStatus,
    actor: string,
    note: string | null,
    at: number,
    options: StatusChangeOptions = {},
  ): Promise<StatusChange | null> {
    const change = this.db.transaction((): StatusChange | null => {
      const row = this.stmt('SELECT status, payload FROM transactions WHERE transaction_id = ?').get(
        transactionId,
      ) as { status: CaseStatus; payload: string } | undefined;
      if (!row) return null;
      const transaction = JSON.parse(row.payload);
      const result = statusChangeResult(row.status, status, options.onlyFrom);
      if (result !== 'changed')
        return { result, old_status: row.status, new_status: row.status, transaction };
      this.stmt('UPDATE transactions SET status = ?, updated_at = ? WHERE transaction_id = ?').run(
        status,
        at,
        transactionId,
      );
      this.appendAudit({
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
    // IMMEDIATE: the write lock is taken before the read. A deferred transaction that has read cannot wait for
    // the writer thread's lock (SQLite answers SQLITE_BUSY at once), while BEGIN IMMEDIATE waits for it.
    return change.immediate();
  }

  /**
   * Appends an entry chained to the newest one; call it inside an IMMEDIATE transaction, whose write lock makes
   * this connection the only writer (of every process on the file) between reading the newest hash and appending.
   */
  private appendAudit(entry: NewAuditEntry): void {
    const newest = this.stmt('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').get() as
      { hash: string | null } | undefined;
    const prev = newest?.hash ?? GENESIS;
    const { id } = this.stmt(
      `INSERT INTO audit (${AUDIT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ).get(...auditInsertValues(entry, prev)) as { id: number };
    this.stmt('UPDATE audit SET hash = ? WHERE id = ?').run(auditHash({ id, ...entry, prev_hash: prev }), id);
  }

  /** Runs `work` as one IMMEDIATE transaction (see setStatus for why IMMEDIATE). */
  private atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  async audit(entry: NewAuditEntry): Promise<void> {
    this.atomically(() => this.appendAudit(entry));
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const { where, params } = auditWhere(q, placeholder);
    return this.stmt(`SELECT * FROM audit ${where} ${auditOrder(q)} LIMIT ?`).all(
      ...params,
      auditLimit(q),
    ) as AuditEntry[];
  }

  private insertApiKey(key: ApiKeyRecord): void {
    this.stmt(
      'INSERT INTO api_keys (id, name, role, key_hash, created_at, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(key.id, key.name, key.role, key.key_hash, key.created_at, key.revoked_at, key.expires_at ?? null);
  }

  async createApiKey(key: ApiKeyRecord, audit?: NewAuditEntry): Promise<void> {
    this.atomically(() => {
      this.insertApiKey(key);
      if (audit !== undefined) this.appendAudit(audit);
    });
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    return (
      (this.stmt('SELECT * FROM api_keys WHERE key_hash = ?').get(keyHash) as ApiKeyRecord | undefined) ??
      null
    );
  }

  async revokeApiKey(id: string, at: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.atomically(() => {
      // A rotated key in its grace period (revoked from a later time on) may still be revoked now.
      const revoked =
        this.stmt(
          'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND (revoked_at IS NULL OR revoked_at > ?)',
        ).run(at, id, at).changes === 1;
      if (revoked && audit !== undefined) this.appendAudit(audit);
      return revoked;
    });
  }

  async rotateApiKey(
    id: string,
    next: ApiKeyRecord,
    revokeAt: number,
    audit: NewAuditEntry,
  ): Promise<boolean> {
    return this.atomically(() => {
      const marked =
        this.stmt('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(revokeAt, id)
          .changes === 1;
      if (!marked) return false;
      this.insertApiKey(next);
      this.appendAudit(audit);
      return true;
    });
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.stmt('SELECT * FROM api_keys ORDER BY created_at, id').all() as ApiKeyRecord[];
  }

  async saveRuleVersion(r: Omit<RuleVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<void> {
    this.atomically(() => {
      this.stmt(
        'INSERT INTO rule_versions (version, document, published_at, published_by) VALUES (?, ?, ?, ?)',
      ).run(r.version, r.document, r.published_at, r.published_by);
      if (audit !== undefined) this.appendAudit(audit);
    });
  }

  async listRuleVersions(limit: number): Promise<RuleVersionRecord[]> {
    return this.stmt('SELECT * FROM rule_versions ORDER BY seq DESC LIMIT ?').all(
      limit,
    ) as RuleVersionRecord[];
  }

  private firstRuleVersion(version: string): RuleVersionRecord | null {
    return (this.stmt(FIRST_RULE_VERSION_SQL('?')).get(version) as RuleVersionRecord | undefined) ?? null;
  }

  async findRuleVersion(version: string): Promise<RuleVersionRecord | null> {
    return this.firstRuleVersion(version);
  }

  async publishRuleVersion(
    r: Omit<RuleVersionRecord, 'seq'>,
    audit?: NewAuditEntry,
  ): Promise<RulePublishResult> {
    // IMMEDIATE: the write lock is taken before the check, so no other process publishes between the two.
    return this.atomically((): RulePublishResult => {
      const existing = this.firstRuleVersion(r.version);
      if (existing !== null) return { kind: 'exists', existing };
      this.stmt(
        'INSERT INTO rule_versions (version, document, published_at, published_by) VALUES (?, ?, ?, ?)',
      ).run(r.version, r.document, r.published_at, r.published_by);
      if (audit !== undefined) this.appendAudit(audit);
      return { kind: 'created' };
    });
  }

  async saveSettingsVersion(r: Omit<SettingsVersionRecord, 'seq'>, audit?: NewAuditEntry): Promise<number> {
    return this.atomically(() => {
      const { seq } = this.stmt(
        'INSERT INTO settings_versions (settings, changed_at, changed_by) VALUES (?, ?, ?) RETURNING seq',
      ).get(r.settings, r.changed_at, r.changed_by) as { seq: number };
      if (audit !== undefined) this.appendAudit(audit);
      return seq;
    });
  }

  async listSettingsVersions(limit: number): Promise<SettingsVersionRecord[]> {
    return this.stmt('SELECT * FROM settings_versions ORDER BY seq DESC LIMIT ?').all(
      limit,
    ) as SettingsVersionRecord[];
  }

  async getSettingsVersion(seq: number): Promise<SettingsVersionRecord | null> {
    return (
      (this.stmt('SELECT * FROM settings_versions WHERE seq = ?').get(seq) as
        SettingsVersionRecord | undefined) ?? null
    );
  }

  async listModelVersions(): Promise<ModelVersionRecord[]> {
    return (this.stmt(MODEL_VERSIONS_SQL).all() as Parameters<typeof fromModelVersionRow>[0][]).map(
      fromModelVersionRow,
    );
  }

  async modelArtifact(id: string): Promise<string | null> {
    const row = this.stmt('SELECT artifact FROM model_versions WHERE id = ?').get(id) as
      { artifact: string | null } | undefined;
    return row?.artifact ?? null;
  }

  async updateModelVersions(u: ModelVersionsUpdate): Promise<boolean> {
    try {
      this.atomically(() => {
        for (const m of u.moves ?? []) {
          const seq = m.new_tenure
            ? ((this.stmt('SELECT MAX(champion_seq) AS s FROM model_versions').get() as { s: number | null })
                .s ?? 0) + 1
            : null;
          const moved = this.stmt(
            `UPDATE model_versions SET stage = ?, stage_changed_at = ?, stage_changed_by = ?,
               champion_seq = COALESCE(?, champion_seq) WHERE id = ? AND stage = ?`,
          ).run(m.to, u.at, u.actor, seq, m.id, m.from);
          if (moved.changes !== 1) throw new ModelVersionsChanged(m.id);
        }
        for (const v of u.added ?? []) {
          const known = this.stmt('SELECT 1 FROM model_versions WHERE id = ?').get(v.id);
          if (known !== undefined) throw new ModelVersionsChanged(v.id);
          this.stmt(
            `INSERT INTO model_versions (${MODEL_VERSION_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...modelVersionValues(v));
        }
        for (const entry of u.audit) this.appendAudit(entry);
      });
      return true;
    } catch (e) {
      if (e instanceof ModelVersionsChanged) return false;
      throw e;
    }
  }

  async recentDecisions(limit: number, after?: RecentCursor): Promise<DecisionWithFeatures[]> {
    const rows = (
      after === undefined
        ? this.stmt(RECENT_DECISIONS_SQL('?')).all(limit)
        : this.stmt(RECENT_DECISIONS_SQL('?', ['?', '?', '?', '?'])).all(
            after.decided_at,
            after.decided_at,
            after.decided_at,
            after.transaction_id,
            limit,
          )
    ) as { payload: string; decision: string; status: string; features: Buffer | null; decided_at: number }[];
    return rows.map((row) => ({
      transaction: JSON.parse(row.payload),
      decision: JSON.parse(row.decision),
      status: row.status as CaseStatus,
      features: featuresFromBytes(row.features),
      decided_at: row.decided_at,
    }));
  }

  async decisionStats(from: number, to: number, bucketMs: number): Promise<DecisionStats> {
    const sql = statsSql(placeholder, 'MIN(CAST(score * 20 AS INTEGER), 19)', bucketMs);
    return foldStats(
      this.stmt(sql.buckets).all(from, to) as never[],
      this.stmt(sql.statuses).all(from, to) as never[],
      this.stmt(sql.scores).all(from, to) as never[],
    );
  }

  async accountTransactions(accountId: string, limit: number): Promise<StoredTransaction[]> {
    const rows = this.stmt(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE account_id = ? ORDER BY occurred_at DESC LIMIT ?`,
    ).all(accountId, limit) as TransactionRow[];
    return rows.map(fromRow);
  }

  async oldestDecidedBefore(cutoff: number, limit: number, keepCases = false): Promise<StoredTransaction[]> {
    const keep = keepCases ? `AND NOT ${CASE_CONDITION}` : '';
    const rows = this.stmt(
      `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at < ? ${keep} ORDER BY decided_at, transaction_id LIMIT ?`,
    ).all(cutoff, limit) as TransactionRow[];
    return rows.map(fromRow);
  }

  async countDecidedBefore(cutoff: number): Promise<{ rows: number; cases: number }> {
    const row = this.stmt(
      `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN ${CASE_CONDITION} THEN 1 ELSE 0 END), 0) AS cases
       FROM transactions WHERE decided_at < ?`,
    ).get(cutoff) as { n: number; cases: number };
    return { rows: row.n, cases: row.cases };
  }

  async decidedBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<StoredTransaction[]> {
    // The cursor's time is the range's lower bound, so each page starts where the last ended in the index.
    const rows = (
      after === null
        ? this.stmt(
            `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at >= ? AND decided_at < ?
             ORDER BY decided_at, transaction_id LIMIT ?`,
          ).all(from, until, limit)
        : this.stmt(
            `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE decided_at >= ? AND decided_at < ?
             AND (decided_at > ? OR transaction_id > ?)
             ORDER BY decided_at, transaction_id LIMIT ?`,
          ).all(Math.max(from, after.decided_at), until, after.decided_at, after.transaction_id, limit)
    ) as TransactionRow[];
    return rows.map(fromRow);
  }

  async modelScoresBetween(
    from: number,
    until: number,
    after: DecidedCursor | null,
    limit: number,
  ): Promise<ModelScoreRow[]> {
    const rows = (
      after === null
        ? this.stmt(MODEL_SCORES_SQL(() => '?', false)).all(from, until, limit)
        : this.stmt(MODEL_SCORES_SQL(() => '?', true)).all(
            Math.max(from, after.decided_at),
            until,
            after.decided_at,
            after.transaction_id,
            limit,
          )
    ) as ModelScoreDbRow[];
    return rows.map(fromModelScoreRow);
  }

  async listVerdicts(after: number | null, limit: number): Promise<StoredVerdict[]> {
    const rows = this.stmt(VERDICTS_SQL('?', '?')).all(after ?? 0, limit) as VerdictRow[];
    return rows.map(fromVerdictRow);
  }

  async recordLabels(labels: readonly NewLabel[], actor: string, at: number): Promise<LabelResult[]> {
    // IMMEDIATE (see setStatus): no other process records labels or audits between reading the last seq and
    // the inserts, so seq is the order of commits and a follower reading past its last seq misses nothing.
    return this.atomically(() => {
      let seq = (this.stmt('SELECT COALESCE(MAX(seq), 0) AS s FROM labels').get() as { s: number }).s;
      return labels.map((label): LabelResult => {
        const tx = this.stmt('SELECT status FROM transactions WHERE transaction_id = ?').get(
          label.transaction_id,
        ) as { status: string } | undefined;
        // A label earlier in this batch is already in the table: a repeat compares with it.
        const before = this.stmt(LABEL_OF_SQL('?')).get(label.transaction_id) as LabelRow | undefined;
        const result = labelResult(tx?.status, before && fromLabelRow(before), label);
        if (result.result !== 'recorded') return result;
        seq++;
        this.stmt(`INSERT INTO labels (${INSERT_LABEL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
          label.transaction_id,
          label.fraud ? 1 : 0,
          label.source,
          label.known_at,
          at,
          actor,
          seq,
        );
        this.appendAudit(labelAuditEntry(label, actor, at, result.contradicts_verdict));
        return result;
      });
    });
  }

  async listLabels(after: number | null, limit: number): Promise<StoredLabel[]> {
    const rows = this.stmt(LABELS_AFTER_SQL('?', '?')).all(after ?? 0, limit) as LabelRow[];
    return rows.map(fromLabelRow);
  }

  async getLabel(transactionId: string): Promise<StoredLabel | null> {
    const row = this.stmt(LABEL_OF_SQL('?')).get(transactionId) as LabelRow | undefined;
    return row === undefined ? null : fromLabelRow(row);
  }

  async claimTrainingRun(
    run: NewTrainingRun,
    abandonBefore: number,
    audit?: NewAuditEntry,
  ): Promise<TrainingClaim> {
    // IMMEDIATE: the write lock is held from the check to the insert, for every process on the file.
    return this.atomically((): TrainingClaim => {
      this.stmt(TRAINING_RUNS.abandon).run(run.started_at, ABANDONED_RESULT, abandonBefore);
      const inserted = this.stmt(TRAINING_RUNS.insert).get(...newTrainingRunValues(run));
      if (inserted === undefined) {
        const running = this.stmt(TRAINING_RUNS.running).get() as TrainingRunRow;
        return { claimed: false, running: fromTrainingRunRow(running) };
      }
      if (audit !== undefined) this.appendAudit(audit);
      return { claimed: true };
    });
  }

  async finishTrainingRun(
    id: string,
    status: Exclude<TrainingStatus, 'running'>,
    result: TrainingRunResult,
    finishedAt: number,
  ): Promise<boolean> {
    return this.atomically(
      () => this.stmt(TRAINING_RUNS.finish).run(status, JSON.stringify(result), finishedAt, id).changes === 1,
    );
  }

  async listTrainingRuns(limit: number, status?: TrainingStatus): Promise<TrainingRunRecord[]> {
    const rows = (
      status === undefined
        ? this.stmt(TRAINING_RUNS.list).all(limit)
        : this.stmt(TRAINING_RUNS.listOfStatus).all(status, limit)
    ) as TrainingRunRow[];
    return rows.map(fromTrainingRunRow);
  }

  async decisionBreakdown(from: number, to: number): Promise<DecisionBreakdown> {
    const sql = breakdownSql(SQLITE_REPORT_DIALECT, placeholder);
    return foldBreakdown(
      this.stmt(sql.blocked).all(from, to) as never[],
      this.stmt(sql.rules).all(from, to) as never[],
      this.stmt(sql.models).all(from, to) as never[],
    );
  }

  async patternCounts(from: number, to: number): Promise<PatternCount[]> {
    const rows = this.stmt(patternCountsSql(SQLITE_REPORT_DIALECT, placeholder)).all(from, to);
    return (rows as never[]).map(fromPatternRow);
  }

  async casesByDay(from: number, to: number): Promise<{ day: number; cases: number }[]> {
    return (this.stmt(CASES_BY_DAY_SQL(placeholder)).all(from, to) as never[]).map(fromCasesRow);
  }

  async transactionsDecidedIn(
    ids: readonly string[],
    from: number,
    to: number,
  ): Promise<StoredTransaction[]> {
    const out: StoredTransaction[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.stmt(
        `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE transaction_id IN (${chunk.map(() => '?').join(',')}) AND decided_at >= ? AND decided_at < ?`,
      ).all(...chunk, from, to) as TransactionRow[];
      out.push(...rows.map(fromRow));
    }
    return out;
  }

  async deleteTransactions(ids: string[]): Promise<number> {
    const del = this.stmt('DELETE FROM transactions WHERE transaction_id = ?');
    // A deleted transaction leaves its case (the case and its timeline stay, counting the alerts left).
    const unalert = this.stmt('DELETE FROM case_alerts WHERE transaction_id = ? RETURNING case_id');
    const recount = this.stmt(RECOUNT_ALERTS_SQL(placeholder));
    return this.db
      .transaction((list: string[]) => {
        const cases = new Set<string>();
        const deleted = list.reduce((n, id) => {
          const alert = unalert.get(id) as { case_id: string } | undefined;
          if (alert !== undefined) cases.add(alert.case_id);
          return n + del.run(id).changes;
        }, 0);
        for (const caseId of cases) recount.run(caseId);
        return deleted;
      })
      .immediate(ids);
  }

  /**
   * Durability settings of the connection that commits decisions (the writer thread's, or this one's for an
   * in-memory database) and of this one (reviews, keys, rules).
   */
  async durability(): Promise<{ writer: SqliteDurability; server: SqliteDurability }> {
    const server = durabilityOf(this.db);
    return { writer: this.writer === null ? server : await this.writer.durability(), server };
  }

  async createSnooze(snooze: RuleSnoozeRecord, audit: NewAuditEntry): Promise<void> {
    this.atomically(() => {
      this.stmt(`INSERT INTO rule_snoozes (${SNOOZE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        ...snoozeValues(snooze),
      );
      this.appendAudit(audit);
    });
  }

  async endSnooze(id: string, at: number, actor: string, audit: NewAuditEntry): Promise<SnoozeEnd | null> {
    return this.atomically((): SnoozeEnd | null => {
      const row = this.stmt(SNOOZE_BY_ID_SQL(placeholder)).get(id) as RuleSnoozeRecord | undefined;
      if (row === undefined) return null;
      if (!snoozeActive(row, at)) return { result: 'not_active', snooze: row };
      this.stmt(END_SNOOZE_SQL(placeholder)).run(at, actor, id);
      this.appendAudit(audit);
      return { result: 'ended', snooze: { ...row, ended_at: at, ended_by: actor } };
    });
  }

  async listSnoozes(query: SnoozeQuery): Promise<RuleSnoozeRecord[]> {
    const { sql, params } = listSnoozesSql(query, placeholder);
    return this.stmt(sql).all(...params) as RuleSnoozeRecord[];
  }

  async listQueues(): Promise<QueueRecord[]> {
    return (this.stmt(LIST_QUEUES_SQL).all() as never[]).map(fromQueueRow);
  }

  async getQueue(name: string): Promise<QueueRecord | null> {
    const row = this.stmt(QUEUE_BY_NAME_SQL(placeholder)).get(name) as never | undefined;
    return row === undefined ? null : fromQueueRow(row);
  }

  async createQueue(queue: QueueRecord, audit: NewAuditEntry): Promise<boolean> {
    return this.atomically(() => {
      const created = this.stmt(INSERT_QUEUE_SQL(placeholder)).run(...queueValues(queue)).changes === 1;
      if (created) this.appendAudit(audit);
      return created;
    });
  }

  async updateQueue(
    name: string,
    changes: QueueChanges,
    at: number,
    audit: QueueAudit,
  ): Promise<QueueRecord | null> {
    return this.atomically((): QueueRecord | null => {
      const row = this.stmt(QUEUE_BY_NAME_SQL(placeholder)).get(name) as never | undefined;
      if (row === undefined) return null;
      const before = fromQueueRow(row);
      const after = changedQueue(before, changes, at, audit.actor);
      this.stmt(UPDATE_QUEUE_SQL(placeholder)).run(...updateQueueValues(after));
      this.appendAudit({
        ...audit,
        old_value: queueDefinitionText(before),
        new_value: queueDefinitionText(after),
      });
      return after;
    });
  }

  async deleteQueue(name: string, audit: QueueAudit): Promise<boolean> {
    return this.atomically(() => {
      const row = this.stmt(QUEUE_BY_NAME_SQL(placeholder)).get(name) as never | undefined;
      if (row === undefined) return false;
      this.stmt(DELETE_QUEUE_SQL(placeholder)).run(name);
      this.appendAudit({ ...audit, old_value: queueDefinitionText(fromQueueRow(row)), new_value: null });
      return true;
    });
  }

  async ping(): Promise<boolean> {
    if (this.writer?.failure) return false;
    try {
      this.stmt('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.checkpointer?.close();
    await this.writer?.close();
    this.db.close();
  }
}
