/**
 * The DomainEventSink producers publish to: events are gathered in memory for one turn of the event loop and
 * written to the store's outbox in one transaction per batch (fanned out there to the subscriptions that want
 * them), never on the caller's path. A decision's event is published after its group-commit batch committed, so
 * a crash between that commit and this write (a few milliseconds) loses the event (docs/api.md, "Webhooks"); a
 * write that fails is retried, in order, until the process stops.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent, DomainEventSink } from '../service/domain-events.ts';
import type { DecisionStore } from '../store/types.ts';
import type { OutboxEvent } from '../store/webhook-types.ts';

/** Events kept while the store refuses them; beyond it the oldest are dropped (and counted). */
export const MAX_UNWRITTEN = 100_000;
const RETRY_MS = 1000;

export class OutboxWriter implements DomainEventSink {
  private queue: DomainEvent[] = [];
  private scheduled = false;
  private writing: Promise<void> | null = null;
  /** Events lost because the store refused them for too long (MAX_UNWRITTEN). */
  dropped = 0;
  /** Batch writes the store refused (each retried). */
  failures = 0;

  constructor(
    private readonly store: DecisionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Told after a batch put deliveries in the outbox (serve's sender starts at once instead of at its next poll).
   * Not after a batch that no subscription wanted: waking the sender then would look for work that is not there.
   */
  onWritten: () => void = () => undefined;

  /** A push: ids, bodies and the write happen later, off the producer's path. */
  publish(event: DomainEvent): void {
    this.queue.push(event);
    if (this.queue.length > MAX_UNWRITTEN) {
      this.queue.shift();
      this.dropped++;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.writing !== null) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      void this.flush();
    };
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs).unref();
  }

  /** Writes what is queued; resolves when the outbox holds everything published before the call. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const events: OutboxEvent[] = [];
    for (const event of batch) {
      try {
        events.push(toOutboxEvent(event));
      } catch {
        this.dropped++; // data that is not JSON (a producer's bug): that event alone is lost
      }
    }
    let failed = false;
    this.writing = this.store.webhooks.enqueue(events, this.now()).then(
      (written) => {
        if (written > 0) this.onWritten();
      },
      () => {
        failed = true;
        this.failures++;
        // Put back in front, in order, to be tried again.
        this.queue = batch.concat(this.queue);
      },
    );
    await this.writing;
    this.writing = null;
    if (failed) this.schedule(RETRY_MS);
    else if (this.queue.length > 0) this.schedule(0);
  }

  get unwritten(): number {
    return this.queue.length;
  }
}

function toOutboxEvent(event: DomainEvent): OutboxEvent {
  const id = randomUUID();
  const outcome = event.data.outcome;
  const score = event.data.score;
  return {
    event_id: id,
    type: event.type,
    key: event.key,
    at: event.at,
    body: JSON.stringify({ id, type: event.type, at: new Date(event.at).toISOString(), data: event.data }),
    outcome: typeof outcome === 'string' ? outcome : null,
    score: typeof score === 'number' ? score : null,
  };
}

/** Writes what a service published to the outbox before its store closes (a no-op for any other sink). */
export async function flushEvents(sink: DomainEventSink): Promise<void> {
  if (sink instanceof OutboxWriter) await sink.flush();
}
