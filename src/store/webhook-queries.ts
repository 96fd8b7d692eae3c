/**
 * The webhook tables' rows (migration 13) as both stores read them, and the SQL text both share; `p(n)` is the
 * dialect's n-th placeholder (`?` or `$n`).
 */
import { randomUUID } from 'node:crypto';
import {
  subscriptionWants,
  type DeliveryQuery,
  type OutboxEvent,
  type WebhookChange,
  type WebhookDelivery,
  type WebhookSubscription,
} from './webhook-types.ts';

export type Placeholder = (n: number) => string;

export interface SubscriptionRow {
  id: string;
  url: string;
  events: string;
  outcomes: string | null;
  min_score: number | null;
  enabled: unknown;
  key_id: string;
  secret_sealed: string;
  created_at: number;
  updated_at: number;
  created_by: string;
}

export function fromSubscriptionRow(r: SubscriptionRow): WebhookSubscription {
  return {
    ...r,
    events: JSON.parse(r.events),
    outcomes: r.outcomes === null ? null : JSON.parse(r.outcomes),
    // SQLite answers 0/1.
    enabled: Boolean(r.enabled),
  };
}

export const SUBSCRIPTION_COLUMNS =
  'id, url, events, outcomes, min_score, enabled, key_id, secret_sealed, created_at, updated_at, created_by';

export function subscriptionValues(s: WebhookSubscription, enabled: unknown = s.enabled): unknown[] {
  return [
    s.id,
    s.url,
    JSON.stringify(s.events),
    s.outcomes === null ? null : JSON.stringify(s.outcomes),
    s.min_score,
    enabled,
    s.key_id,
    s.secret_sealed,
    s.created_at,
    s.updated_at,
    s.created_by,
  ];
}

/** The subscription after `change`, as a whole (the stores write every column back). */
export function changed(s: WebhookSubscription, change: WebhookChange, at: number): WebhookSubscription {
  const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
  return { ...s, ...defined, updated_at: at };
}

export const DELIVERY_COLUMNS = `seq, id, subscription_id, event_id, event_type, event_key, event_at, body, status,
  attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at, redelivery_of`;

export const DELIVERY_INSERT_COLUMNS =
  'id, subscription_id, event_id, event_type, event_key, event_at, body, status, attempts, next_attempt_at, created_at, redelivery_of';

export type DeliveryRow = WebhookDelivery;

/** The new rows an enqueue writes: one per event and subscription that wants it, in event order. */
export function outboxRows(
  events: readonly OutboxEvent[],
  subscriptions: readonly WebhookSubscription[],
  at: number,
): unknown[][] {
  const rows: unknown[][] = [];
  for (const e of events)
    for (const s of subscriptions)
      if (subscriptionWants(s, e))
        rows.push([randomUUID(), s.id, e.event_id, e.type, e.key, e.at, e.body, 'pending', 0, at, at, null]);
  return rows;
}

/** The row a redelivery writes: the same event and body, due now. */
export function redeliveryRow(d: WebhookDelivery, newId: string, at: number): unknown[] {
  return [
    newId,
    d.subscription_id,
    d.event_id,
    d.event_type,
    d.event_key,
    d.event_at,
    d.body,
    'pending',
    0,
    at,
    at,
    d.id,
  ];
}

/**
 * Deliveries due: pending, due, on an enabled subscription, not leased by a live holder, and the first pending
 * one of their subscription and key (a later event of a key waits until the earlier one is delivered or dead).
 * Parameters: now (twice), limit.
 */
export function dueSql(p: Placeholder): string {
  return `SELECT d.seq FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= ${p(1)} AND s.enabled
      AND (d.lease_until IS NULL OR d.lease_until <= ${p(2)})
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id
        AND e.event_key = d.event_key AND e.status = 'pending' AND e.seq < d.seq)
    ORDER BY d.seq LIMIT ${p(3)}`;
}

/** Parameters: status_code, error, at, then by `next`: delivered/failed at, or next_attempt_at; id, owner. */
export function finishSql(p: Placeholder, next: 'delivered' | 'retry' | 'failed'): string {
  const set =
    next === 'delivered'
      ? `status = 'delivered', delivered_at = ${p(3)}`
      : next === 'failed'
        ? `status = 'failed', next_attempt_at = ${p(3)}`
        : `next_attempt_at = ${p(3)}`;
  return `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = ${p(1)}, last_error = ${p(2)},
      lease_until = NULL, lease_owner = NULL, ${set}
    WHERE id = ${p(4)} AND lease_owner = ${p(5)} AND status = 'pending'`;
}

export function deliveryWhere(q: DeliveryQuery, p: Placeholder): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.subscription_id !== undefined) {
    params.push(q.subscription_id);
    clauses.push(`subscription_id = ${p(params.length)}`);
  }
  if (q.status !== undefined) {
    params.push(q.status);
    clauses.push(`status = ${p(params.length)}`);
  }
  if (q.before_seq !== undefined) {
    params.push(q.before_seq);
    clauses.push(`seq < ${p(params.length)}`);
  }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

/** DELIVERY_COLUMNS of table alias `alias` (a join with the subscriptions shares id and created_at). */
export const deliveryColumnsOf = (alias: string): string =>
  DELIVERY_COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
