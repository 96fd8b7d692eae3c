/**
 * Webhook figures on /metrics, read from the store's outbox when Prometheus scrapes (so they count every
 * process's deliveries on a shared store): deliveries by status, queue depth, the oldest pending delivery's age.
 */
import client from 'prom-client';
import type { Metrics } from '../ops/metrics.ts';
import type { DecisionStore } from '../store/types.ts';
import { DELIVERY_STATUSES, type WebhookQueueStats } from '../store/webhook-types.ts';
import type { OutboxWriter } from './outbox-writer.ts';

export function registerWebhookMetrics(
  metrics: Metrics,
  store: DecisionStore,
  outbox: OutboxWriter,
  now: () => number = Date.now,
): void {
  // One read per scrape, shared by the gauges below.
  let pending: Promise<WebhookQueueStats | null> | null = null;
  const stats = (): Promise<WebhookQueueStats | null> => {
    pending ??= store.webhooks
      .stats()
      .catch(() => null)
      .finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  new client.Gauge({
    name: 'fraudwatch_webhook_deliveries',
    help: 'Webhook deliveries in the outbox by status (pending, delivered, failed: dead after the retry window)',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
    async collect() {
      const s = await stats();
      if (s !== null) for (const status of DELIVERY_STATUSES) this.set({ status }, s.by_status[status]);
    },
  });
  new client.Gauge({
    name: 'fraudwatch_webhook_queue_depth',
    help: 'Webhook deliveries waiting to be sent (pending)',
    registers: [metrics.registry],
    async collect() {
      const s = await stats();
      if (s !== null) this.set(s.by_status.pending);
    },
  });
  new client.Gauge({
    name: 'fraudwatch_webhook_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook delivery (0 when none)',
    registers: [metrics.registry],
    async collect() {
      const s = await stats();
      if (s !== null)
        this.set(s.oldest_pending_at === null ? 0 : Math.max(0, (now() - s.oldest_pending_at) / 1000));
    },
  });
  new client.Gauge({
    name: 'fraudwatch_webhook_events_unwritten',
    help: 'Events of this process not yet in the outbox (waiting for the store)',
    registers: [metrics.registry],
    collect() {
      this.set(outbox.unwritten);
    },
  });
}
