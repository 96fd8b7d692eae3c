/**
 * The sender loop `serve` runs: claims due deliveries from the store's outbox (leased, so several serve processes
 * on one PostgreSQL store share the work), POSTs each signed, and records the attempt. A 2xx is delivered;
 * anything else is tried again after an exponential backoff with jitter until WebhookSettings.maxAgeMs after the
 * event, then marked failed. Everything is in the store: a restarted process carries on where it stopped.
 */
import { randomUUID } from 'node:crypto';
import type { DecisionStore } from '../store/types.ts';
import type { ClaimedDelivery, DeliveryAttempt } from '../store/webhook-types.ts';
import type { SecretSealer } from './webhook-secrets.ts';
import type { WebhookSettings } from './webhook-settings.ts';
import { signatureOf } from './signature.ts';

const CLAIM_LIMIT = 50;
const MAX_BACKOFF_MS = 3_600_000;
const MAX_ERROR_LENGTH = 500;
/** The master key that sealed the subscription's secret is not this process's (e.g. a restore without it). */
export const UNSEALABLE_SECRET =
  "signing secret sealed under another master key (FRAUDWATCH_WEBHOOK_KEY or the data dir's webhook-secrets.key changed, e.g. restored without it): rotate this subscription's secret";

/** The wait before attempt `attempts + 1`: base x 2^(attempts - 1), capped at an hour, times 0.5-1.5 (jitter). */
export function backoffMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const plain = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.5 + random()));
}

export class WebhookSender {
  /** Names this process's leases. */
  readonly owner = `sender-${randomUUID()}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts by how they ended, for /metrics. */
  readonly attempts = { delivered: 0, retry: 0, failed: 0 };

  constructor(
    private readonly store: DecisionStore,
    private readonly sealer: SecretSealer,
    private readonly settings: WebhookSettings,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = console.error,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Looks for due deliveries now (new events were written) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.stopped) return;
      const delay = this.again ? 0 : this.settings.pollMs;
      this.again = false;
      this.timer = setTimeout(() => this.wake(), delay);
      this.timer.unref();
    });
  }

  /**
   * Claims and starts sending until nothing is due or CLAIM_LIMIT deliveries are in flight; each one that ends
   * wakes the loop again, so a receiver that hangs holds only its own deliveries, never the others'.
   */
  private async round(): Promise<void> {
    try {
      while (!this.stopped && this.inFlight.size < CLAIM_LIMIT) {
        const claimed = await this.store.webhooks.claim(
          this.owner,
          this.now(),
          this.settings.leaseMs,
          CLAIM_LIMIT - this.inFlight.size,
        );
        if (claimed.length === 0) return;
        for (const d of claimed) {
          const sending: Promise<void> = this.send(d).finally(() => {
            this.inFlight.delete(sending);
            this.wake();
          });
          this.inFlight.add(sending);
        }
      }
    } catch (e) {
      this.log(`webhooks: the outbox could not be read (${(e as Error).message}); trying again`);
    }
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    const at = this.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let secret: string | null = null;
    try {
      secret = this.sealer.open(d.secret_sealed);
    } catch {
      // Nothing unsigned goes out: the delivery waits (and retries) until the secret is rotated.
      error = UNSEALABLE_SECRET;
    }
    if (secret !== null)
      try {
        const timestamp = String(Math.floor(at / 1000));
        const response = await fetch(d.url, {
          method: 'POST',
          body: d.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.settings.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'fraudwatch-webhooks/1',
            'x-fraudwatch-event': d.event_type,
            'x-fraudwatch-delivery': d.id,
            'x-fraudwatch-timestamp': timestamp,
            'x-fraudwatch-signature': signatureOf(secret, timestamp, d.body),
            'x-fraudwatch-key-id': d.key_id,
          },
        });
        statusCode = response.status;
        await response.body?.cancel().catch(() => undefined);
        if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        error =
          (e as Error).name === 'TimeoutError'
            ? `no answer within ${this.settings.timeoutMs} ms`
            : (cause ?? (e as Error).message);
      }
    await this.record(d, statusCode, error?.slice(0, MAX_ERROR_LENGTH) ?? null);
  }

  private async record(d: ClaimedDelivery, statusCode: number | null, error: string | null): Promise<void> {
    const finished = this.now();
    let attempt: DeliveryAttempt;
    if (error === null) attempt = { at: finished, status_code: statusCode, error, next: 'delivered' };
    else {
      const next = finished + backoffMs(d.attempts + 1, this.settings.backoffBaseMs);
      attempt =
        next > d.event_at + this.settings.maxAgeMs
          ? { at: finished, status_code: statusCode, error, next: 'failed' }
          : { at: finished, status_code: statusCode, error, next: 'retry', next_attempt_at: next };
    }
    try {
      // False: the lease ran out and another sender took the delivery (it may arrive twice: at least once).
      if (await this.store.webhooks.finish(d.id, this.owner, attempt)) this.attempts[attempt.next]++;
    } catch (e) {
      this.log(
        `webhooks: delivery ${d.id} could not be recorded (${(e as Error).message}); it will be sent again`,
      );
    }
  }

  /** Stops claiming; resolves when the deliveries in flight are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await Promise.all(this.inFlight);
  }
}
