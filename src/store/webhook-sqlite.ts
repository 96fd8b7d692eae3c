/**
 * Webhook subscriptions and the delivery outbox on the embedded store. Each change is one IMMEDIATE transaction
 * (the file's write lock), so a claim and its lease are one step for every connection on the file.
 */
import type Database from 'better-sqlite3';
import type { NewAuditEntry } from './types.ts';
import {
  changed,
  DELIVERY_COLUMNS,
  deliveryColumnsOf,
  DELIVERY_INSERT_COLUMNS,
  deliveryWhere,
  dueSql,
  finishSql,
  fromSubscriptionRow,
  outboxRows,
  redeliveryRow,
  SUBSCRIPTION_COLUMNS,
  subscriptionValues,
  type DeliveryRow,
  type SubscriptionRow,
} from './webhook-queries.ts';
import {
  DELIVERY_STATUSES,
  type ClaimedDelivery,
  type DeliveryAttempt,
  type DeliveryQuery,
  type OutboxEvent,
  type WebhookChange,
  type WebhookDelivery,
  type WebhookQueueStats,
  type WebhookStore,
  type WebhookSubscription,
} from './webhook-types.ts';
import { EnabledSubscriptions } from './enabled-subscriptions.ts';

const q = (): string => '?';
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const ENABLED_SQL = `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE enabled = 1`;
const INSERT_DELIVERY = `INSERT INTO webhook_deliveries (${DELIVERY_INSERT_COLUMNS}) VALUES (${marks(12)})`;

export class SqliteWebhooks implements WebhookStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly enabled = new EnabledSubscriptions(() =>
    (this.stmt(ENABLED_SQL).all() as SubscriptionRow[]).map(fromSubscriptionRow),
  );

  constructor(
    private readonly db: Database.Database,
    /** The store's IMMEDIATE transaction and its chained audit append (sqlite-store.ts). */
    private readonly atomically: <T>(work: () => T) => T,
    private readonly appendAudit: (entry: NewAuditEntry) => void,
  ) {}

  /** Prepared at first use (the tables may not exist before the store's migrations), then kept. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private read(id: string): WebhookSubscription | null {
    const row = this.db
      .prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = ?`)
      .get(id) as SubscriptionRow | undefined;
    return row === undefined ? null : fromSubscriptionRow(row);
  }

  async create(s: WebhookSubscription, audit: NewAuditEntry): Promise<void> {
    this.atomically(() => {
      this.db
        .prepare(`INSERT INTO webhook_subscriptions (${SUBSCRIPTION_COLUMNS}) VALUES (${marks(11)})`)
        .run(...subscriptionValues(s, s.enabled ? 1 : 0));
      this.appendAudit(audit);
    });
    this.enabled.forget();
  }

  async list(): Promise<WebhookSubscription[]> {
    const rows = this.db
      .prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, id`)
      .all() as SubscriptionRow[];
    return rows.map(fromSubscriptionRow);
  }

  async get(id: string): Promise<WebhookSubscription | null> {
    return this.read(id);
  }

  async update(
    id: string,
    change: WebhookChange,
    at: number,
    audit: NewAuditEntry,
  ): Promise<WebhookSubscription | null> {
    const updated = this.atomically(() => {
      const before = this.read(id);
      if (before === null) return null;
      const after = changed(before, change, at);
      const [, ...values] = subscriptionValues(after, after.enabled ? 1 : 0);
      this.db
        .prepare(
          `UPDATE webhook_subscriptions SET url = ?, events = ?, outcomes = ?, min_score = ?, enabled = ?,
             key_id = ?, secret_sealed = ?, created_at = ?, updated_at = ?, created_by = ? WHERE id = ?`,
        )
        .run(...values, id);
      this.appendAudit(audit);
      return after;
    });
    this.enabled.forget();
    return updated;
  }

  async remove(id: string, audit: NewAuditEntry): Promise<boolean> {
    const removed = this.atomically(() => {
      this.db.prepare('DELETE FROM webhook_deliveries WHERE subscription_id = ?').run(id);
      const gone = this.db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?').run(id).changes === 1;
      if (gone) this.appendAudit(audit);
      return gone;
    });
    this.enabled.forget();
    return removed;
  }

  async enqueue(events: readonly OutboxEvent[], at: number): Promise<number> {
    if (events.length === 0) return 0;
    // Without a subscription that wants them, nothing is written: no write lock, no sync of the file.
    if (!(await this.enabled.wantAny(events))) return 0;
    return this.atomically(() => {
      const insert = this.db.prepare(INSERT_DELIVERY);
      const rows = outboxRows(
        events,
        (this.stmt(ENABLED_SQL).all() as SubscriptionRow[]).map(fromSubscriptionRow),
        at,
      );
      for (const row of rows) insert.run(...row);
      return rows.length;
    });
  }

  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    // A read first, outside any transaction: WAL readers take no lock, while the IMMEDIATE transaction below
    // waits (sleeping this thread, which is the decision path's) whenever the writer thread is committing.
    if (this.stmt(dueSql(q)).get(now, now, 1) === undefined) return [];
    return this.atomically(() => {
      const seqs = (this.db.prepare(dueSql(q)).all(now, now, limit) as { seq: number }[]).map((r) => r.seq);
      if (seqs.length === 0) return [];
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET lease_until = ?, lease_owner = ? WHERE seq IN (${marks(seqs.length)})`,
        )
        .run(now + leaseMs, owner, ...seqs);
      return this.db
        .prepare(
          `SELECT ${deliveryColumnsOf('d')}, s.url, s.key_id, s.secret_sealed FROM webhook_deliveries d
             JOIN webhook_subscriptions s ON s.id = d.subscription_id
           WHERE d.seq IN (${marks(seqs.length)}) ORDER BY d.seq`,
        )
        .all(...seqs) as ClaimedDelivery[];
    });
  }

  async finish(id: string, owner: string, a: DeliveryAttempt): Promise<boolean> {
    const third = a.next === 'retry' ? a.next_attempt_at : a.at;
    return this.atomically(
      () => this.db.prepare(finishSql(q, a.next)).run(a.status_code, a.error, third, id, owner).changes === 1,
    );
  }

  async deliveries(query: DeliveryQuery): Promise<WebhookDelivery[]> {
    const { where, params } = deliveryWhere(query, q);
    return this.db
      .prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...params, query.limit) as DeliveryRow[];
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    return (
      (this.db.prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`).get(id) as
        DeliveryRow | undefined) ?? null
    );
  }

  async redeliver(
    id: string,
    newId: string,
    at: number,
    audit: NewAuditEntry,
  ): Promise<WebhookDelivery | null> {
    const done = this.atomically(() => {
      const first = this.db
        .prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`)
        .get(id) as DeliveryRow | undefined;
      if (first === undefined) return false;
      this.db.prepare(INSERT_DELIVERY).run(...redeliveryRow(first, newId, at));
      this.appendAudit(audit);
      return true;
    });
    return done ? this.getDelivery(newId) : null;
  }

  async stats(): Promise<WebhookQueueStats> {
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status')
      .all() as { status: string; n: number }[];
    const oldest = this.db
      .prepare("SELECT MIN(created_at) AS at FROM webhook_deliveries WHERE status = 'pending'")
      .get() as { at: number | null };
    const by_status = Object.fromEntries(
      DELIVERY_STATUSES.map((s) => [s, 0]),
    ) as WebhookQueueStats['by_status'];
    for (const r of rows) if (r.status in by_status) by_status[r.status as keyof typeof by_status] = r.n;
    return { by_status, oldest_pending_at: oldest.at };
  }
}
