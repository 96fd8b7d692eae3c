/**
 * What the store keeps for webhooks (issue 17): subscriptions, and the outbox of deliveries a sender loop works
 * through. Both stores implement WebhookStore (`store.webhooks`); the shared suite tests them alike.
 */
import type { Outcome } from '../engine/decision.ts';
import type { DomainEventType } from '../service/domain-events.ts';
import type { NewAuditEntry } from './types.ts';

export interface WebhookSubscription {
  id: string;
  url: string;
  /** The event types it receives (a subset of DOMAIN_EVENT_TYPES). */
  events: DomainEventType[];
  /** Only events whose data carries one of these outcomes (null: any); events without an outcome pass. */
  outcomes: Outcome[] | null;
  /** Only events whose data carries a score at least this (null: any); events without a score pass. */
  min_score: number | null;
  enabled: boolean;
  /** Names the signing secret in force (X-Fraudwatch-Key-Id); a rotation gives a new one. */
  key_id: string;
  /** The signing secret, sealed (webhook-secrets.ts): the store never holds it in clear. */
  secret_sealed: string;
  created_at: number;
  updated_at: number;
  created_by: string;
}

/** What an update may change; absent fields stay. */
export type WebhookChange = Partial<
  Pick<
    WebhookSubscription,
    'url' | 'events' | 'outcomes' | 'min_score' | 'enabled' | 'key_id' | 'secret_sealed'
  >
>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: string;
  /** Outbox order: per subscription and key, deliveries go out in seq order. */
  seq: number;
  subscription_id: string;
  event_id: string;
  event_type: DomainEventType;
  event_key: string;
  event_at: number;
  /** The exact JSON body sent (and signed). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  /** The delivery this one sends again (POST .../redeliver); null for the first. */
  redelivery_of: string | null;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery extends WebhookDelivery {
  url: string;
  key_id: string;
  secret_sealed: string;
}

/** An event as the outbox writer hands it to the store, which fans it out to the subscriptions that want it. */
export interface OutboxEvent {
  event_id: string;
  type: DomainEventType;
  key: string;
  at: number;
  body: string;
  /** From the event's data, for the subscriptions' filters. */
  outcome: string | null;
  score: number | null;
}

/** How an attempt ended: delivered (2xx), to be tried again at `next_attempt_at`, or dead (`failed`). */
export type DeliveryAttempt = { at: number; status_code: number | null; error: string | null } & (
  { next: 'delivered' } | { next: 'retry'; next_attempt_at: number } | { next: 'failed' }
);

export interface DeliveryQuery {
  subscription_id?: string;
  status?: DeliveryStatus;
  /** Newest first; only seq below this one (keyset pagination). */
  before_seq?: number;
  limit: number;
}

export interface WebhookQueueStats {
  by_status: Record<DeliveryStatus, number>;
  /** When the oldest pending delivery was queued (epoch ms); null when none is pending. */
  oldest_pending_at: number | null;
}

/** Whether a subscription receives an event: enabled, the type subscribed, and its filters pass. */
export function subscriptionWants(s: WebhookSubscription, e: OutboxEvent): boolean {
  if (!s.enabled || !s.events.includes(e.type)) return false;
  if (s.outcomes !== null && e.outcome !== null && !s.outcomes.includes(e.outcome as Outcome)) return false;
  if (s.min_score !== null && e.score !== null && e.score < s.min_score) return false;
  return true;
}

export interface WebhookStore {
  /** Stores a subscription and its audit entry in one transaction. */
  create(subscription: WebhookSubscription, audit: NewAuditEntry): Promise<void>;
  list(): Promise<WebhookSubscription[]>;
  get(id: string): Promise<WebhookSubscription | null>;
  /** Changes a subscription and audits it atomically; null (nothing written) for an unknown id. */
  update(
    id: string,
    change: WebhookChange,
    at: number,
    audit: NewAuditEntry,
  ): Promise<WebhookSubscription | null>;
  /** Deletes a subscription with its deliveries, audited; false for an unknown id. */
  remove(id: string, audit: NewAuditEntry): Promise<boolean>;
  /** One pending delivery per event and subscription that wants it, all in one transaction; returns how many. */
  enqueue(events: readonly OutboxEvent[], at: number): Promise<number>;
  /**
   * Leases up to `limit` deliveries due at `now` for `leaseMs` to `owner`: only the first pending delivery of
   * each subscription and key (order per key), none another process holds a live lease on.
   */
  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt of a delivery `owner` holds; false (nothing written) when its lease was lost. */
  finish(id: string, owner: string, attempt: DeliveryAttempt): Promise<boolean>;
  deliveries(query: DeliveryQuery): Promise<WebhookDelivery[]>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** Queues the body of delivery `id` again as delivery `newId` (audited); null for an unknown id. */
  redeliver(id: string, newId: string, at: number, audit: NewAuditEntry): Promise<WebhookDelivery | null>;
  stats(): Promise<WebhookQueueStats>;
}
