/**
 * The enabled webhook subscriptions as an enqueue's first look sees them: read from the store at most once a
 * second, and again at once after this process changes one. Without it every batch of decision events paid a
 * query (37 µs a request on the embedded store in a profile at 1,000 req/s) to learn that nobody subscribed. The
 * cost: a subscription that another process creates or enables receives the events decided here from at most
 * ENABLED_SUBSCRIPTIONS_MAX_AGE_MS later. Deliveries are still written from a fresh read inside the transaction.
 */
import { subscriptionWants, type OutboxEvent, type WebhookSubscription } from './webhook-types.ts';

export const ENABLED_SUBSCRIPTIONS_MAX_AGE_MS = 1000;

export class EnabledSubscriptions {
  private cached: readonly WebhookSubscription[] | null = null;
  private readAt = 0;

  constructor(
    private readonly read: () => Promise<WebhookSubscription[]> | WebhookSubscription[],
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether any enabled subscription wants any of the events, from a read at most a second old. */
  async wantAny(events: readonly OutboxEvent[]): Promise<boolean> {
    const now = this.clock();
    if (this.cached === null || now - this.readAt >= ENABLED_SUBSCRIPTIONS_MAX_AGE_MS) {
      this.cached = await this.read();
      this.readAt = now;
    }
    const subscriptions = this.cached;
    return events.some((e) => subscriptions.some((s) => subscriptionWants(s, e)));
  }

  /** After this process created, changed or removed a subscription. */
  forget(): void {
    this.cached = null;
  }
}
