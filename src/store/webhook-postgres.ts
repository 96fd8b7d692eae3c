/**
 * Webhook subscriptions and the delivery outbox on PostgreSQL. Several serve processes share the outbox: a claim
 * takes due rows with FOR UPDATE SKIP LOCKED and leases them in the same statement, so two senders never take the
 * same delivery while its lease lives.
 */
import type pg from 'pg';
import type { NewAuditEntry } from './types.ts';
import {
  changed,
  DELIVERY_COLUMNS,
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

const p = (n: number): string => `$${n}`;
const params = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
const INSERT_DELIVERY = `INSERT INTO webhook_deliveries (${DELIVERY_INSERT_COLUMNS}) VALUES (${params(1, 12)})`;

/** What the store lends: its transactions, its reads, and the chained audit append (postgres-store.ts). */
export interface PostgresAccess {
  inTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  appendAudit(c: pg.PoolClient, entry: NewAuditEntry): Promise<void>;
}

const ENABLED_SQL = `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE enabled`;

export class PostgresWebhooks implements WebhookStore {
  private readonly enabled = new EnabledSubscriptions(async () =>
    (await this.db.query<SubscriptionRow>(ENABLED_SQL)).rows.map(fromSubscriptionRow),
  );

  constructor(private readonly db: PostgresAccess) {}

  private async read(c: pg.PoolClient | null, id: string, lock = false): Promise<WebhookSubscription | null> {
    const sql = `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`;
    const result =
      c === null
        ? await this.db.query<SubscriptionRow>(sql, [id])
        : await c.query<SubscriptionRow>(sql, [id]);
    const row = result.rows[0];
    return row === undefined ? null : fromSubscriptionRow(row);
  }

  async create(s: WebhookSubscription, audit: NewAuditEntry): Promise<void> {
    await this.db.inTransaction(async (c) => {
      await c.query(
        `INSERT INTO webhook_subscriptions (${SUBSCRIPTION_COLUMNS}) VALUES (${params(1, 11)})`,
        subscriptionValues(s),
      );
      await this.db.appendAudit(c, audit);
    });
    this.enabled.forget();
  }

  async list(): Promise<WebhookSubscription[]> {
    const result = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, id`,
    );
    return result.rows.map(fromSubscriptionRow);
  }

  async get(id: string): Promise<WebhookSubscription | null> {
    return this.read(null, id);
  }

  async update(
    id: string,
    change: WebhookChange,
    at: number,
    audit: NewAuditEntry,
  ): Promise<WebhookSubscription | null> {
    const updated = await this.db.inTransaction(async (c) => {
      const before = await this.read(c, id, true);
      if (before === null) return null;
      const after = changed(before, change, at);
      const [, ...values] = subscriptionValues(after);
      await c.query(
        `UPDATE webhook_subscriptions SET url = $1, events = $2, outcomes = $3, min_score = $4, enabled = $5,
           key_id = $6, secret_sealed = $7, created_at = $8, updated_at = $9, created_by = $10 WHERE id = $11`,
        [...values, id],
      );
      await this.db.appendAudit(c, audit);
      return after;
    });
    this.enabled.forget();
    return updated;
  }

  async remove(id: string, audit: NewAuditEntry): Promise<boolean> {
    const removed = await this.db.inTransaction(async (c) => {
      await c.query('DELETE FROM webhook_deliveries WHERE subscription_id = $1', [id]);
      const gone = (await c.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id])).rowCount === 1;
      if (gone) await this.db.appendAudit(c, audit);
      return gone;
    });
    this.enabled.forget();
    return removed;
  }

  async enqueue(events: readonly OutboxEvent[], at: number): Promise<number> {
    if (events.length === 0) return 0;
    // Without a subscription that wants them, nothing is written (no transaction).
    if (!(await this.enabled.wantAny(events))) return 0;
    return this.db.inTransaction(async (c) => {
      const subscriptions = (await c.query<SubscriptionRow>(ENABLED_SQL)).rows.map(fromSubscriptionRow);
      const rows = outboxRows(events, subscriptions, at);
      if (rows.length === 0) return 0;
      // One statement for the whole batch, in event order (seq follows the array's order).
      await c.query(
        `INSERT INTO webhook_deliveries (${DELIVERY_INSERT_COLUMNS})
         SELECT v->>'id', v->>'subscription_id', v->>'event_id', v->>'event_type', v->>'event_key',
           (v->>'event_at')::bigint, v->>'body', v->>'status', (v->>'attempts')::int,
           (v->>'next_attempt_at')::bigint, (v->>'created_at')::bigint, v->>'redelivery_of'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, n)
         ORDER BY n`,
        [JSON.stringify(rows.map(rowObject))],
      );
      return rows.length;
    });
  }

  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const result = await this.db.query<ClaimedDelivery>(
      `WITH due AS (${dueSql(p)} FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries w SET lease_until = $4, lease_owner = $5
       FROM due, webhook_subscriptions s
       WHERE w.seq = due.seq AND s.id = w.subscription_id
       RETURNING ${DELIVERY_COLUMNS.split(',')
         .map((col) => `w.${col.trim()}`)
         .join(', ')}, s.url, s.key_id, s.secret_sealed`,
      [now, now, limit, now + leaseMs, owner],
    );
    return result.rows.sort((a, b) => a.seq - b.seq);
  }

  async finish(id: string, owner: string, a: DeliveryAttempt): Promise<boolean> {
    const third = a.next === 'retry' ? a.next_attempt_at : a.at;
    const result = await this.db.query(finishSql(p, a.next), [a.status_code, a.error, third, id, owner]);
    return result.rowCount === 1;
  }

  async deliveries(query: DeliveryQuery): Promise<WebhookDelivery[]> {
    const { where, params: values } = deliveryWhere(query, p);
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ${where} ORDER BY seq DESC LIMIT $${values.length + 1}`,
      [...values, query.limit],
    );
    return result.rows;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`,
      [id],
    );
    return result.rows[0] ?? null;
  }

  async redeliver(
    id: string,
    newId: string,
    at: number,
    audit: NewAuditEntry,
  ): Promise<WebhookDelivery | null> {
    const done = await this.db.inTransaction(async (c) => {
      const first = (
        await c.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id])
      ).rows[0];
      if (first === undefined) return false;
      await c.query(INSERT_DELIVERY, redeliveryRow(first, newId, at));
      await this.db.appendAudit(c, audit);
      return true;
    });
    return done ? this.getDelivery(newId) : null;
  }

  async stats(): Promise<WebhookQueueStats> {
    const rows = await this.db.query<{ status: string; n: number }>(
      'SELECT status, COUNT(*)::int AS n FROM webhook_deliveries GROUP BY status',
    );
    const oldest = await this.db.query<{ at: number | null }>(
      "SELECT MIN(created_at) AS at FROM webhook_deliveries WHERE status = 'pending'",
    );
    const by_status = Object.fromEntries(
      DELIVERY_STATUSES.map((s) => [s, 0]),
    ) as WebhookQueueStats['by_status'];
    for (const r of rows.rows) if (r.status in by_status) by_status[r.status as keyof typeof by_status] = r.n;
    return { by_status, oldest_pending_at: oldest.rows[0]?.at ?? null };
  }
}

const INSERT_NAMES = DELIVERY_INSERT_COLUMNS.split(',').map((c) => c.trim());

function rowObject(row: unknown[]): Record<string, unknown> {
  return Object.fromEntries(INSERT_NAMES.map((name, i) => [name, row[i]]));
}
