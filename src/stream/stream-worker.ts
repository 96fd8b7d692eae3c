/**
 * A stream worker: pulls transactions from the partitions it owns (given at start, or taken and handed over while
 * it runs as partition leases move: partition-leases.ts), in batches, decides them through the
 * DecisionService (idempotent on transaction_id; a decision is committed to the store before it returns),
 * publishes each decision, and only then acknowledges the message. So a crash at any point loses nothing: an
 * unacknowledged message is delivered again, finds its stored decision, and that decision is published again.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { DecideResult, DecisionService } from '../service/decision-service.ts';
import { sendToDeadLetters, type DeadLetter } from './dead-letters.ts';
import { MessagePump } from './message-pump.ts';
import { backoffDelay, CircuitBreaker } from './retry-policy.ts';
import { streamNames, type StreamConfig } from './stream-config.ts';

export interface WorkerOptions {
  /** Partitions pulled from the start; more are added and removed with `addPartition`/`removePartition`. */
  partitions?: number[];
  /** Messages pulled per fetch, per partition. */
  batchSize?: number;
  /** Deliveries before a message that keeps failing is dead-lettered. */
  maxAttempts?: number;
  breaker?: CircuitBreaker;
  log?: (line: string) => void;
}

export interface WorkerStats {
  /** Messages handed to this worker; each ends decided, duplicate, dead-lettered or retried. */
  received: number;
  decided: number;
  duplicates: number;
  deadLettered: number;
  retried: number;
  batches: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamWorker {
  readonly stats: WorkerStats = {
    received: 0,
    decided: 0,
    duplicates: 0,
    deadLettered: 0,
    retried: 0,
    batches: 0,
  };
  readonly breaker: CircuitBreaker;
  private stopping = false;
  private readonly pump: MessagePump;
  private readonly names;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly js: JetStreamClient,
    private readonly config: StreamConfig,
    private readonly service: DecisionService,
    private readonly options: WorkerOptions,
  ) {
    this.names = streamNames(config);
    this.batchSize = options.batchSize ?? 500;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.breaker = options.breaker ?? new CircuitBreaker();
    this.log = options.log ?? (() => undefined);
    this.pump = new MessagePump(this.batchSize, (batch) => this.processGuarded(batch));
  }

  /** Starts pulling from the partitions given at construction; resolves once their consumers are bound. */
  async start(): Promise<void> {
    for (const p of this.options.partitions ?? []) await this.addPartition(p);
  }

  /** The partitions this worker pulls from now. */
  get partitions(): number[] {
    return this.pump.partitions;
  }

  /** Starts pulling partition `p` (its lease was just taken). */
  async addPartition(p: number): Promise<void> {
    if (this.stopping) return;
    await this.pump.add(p, await this.js.consumers.get(this.names.transactions, this.names.consumer(p)));
  }

  /** Stops pulling partition `p`; resolves once every message of it received so far is settled. */
  removePartition(p: number): Promise<void> {
    return this.pump.remove(p);
  }

  /**
   * Graceful stop: no new messages are pulled; what was received is decided and acknowledged. Messages the
   * server had already sent towards this worker but that had not arrived are redelivered after the ack wait.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.pump.stop();
  }

  /** Messages not yet acknowledged across the owned partitions (consumer lag). */
  async lag(): Promise<number> {
    let total = 0;
    for (const p of this.partitions) {
      const consumer = await this.js.consumers.get(this.names.transactions, this.names.consumer(p));
      const info = await consumer.info();
      total += info.num_pending + info.num_ack_pending;
    }
    return total;
  }

  /** While the breaker is open, a batch waits (its messages stay unacknowledged) instead of hitting the store. */
  private async processGuarded(batch: JsMsg[]): Promise<void> {
    for (let wait = this.breaker.waitMs; wait > 0 && !this.stopping; wait = this.breaker.waitMs) {
      await sleep(Math.min(wait, 250));
    }
    await this.process(batch);
  }

  /** Decides one batch; every message ends acknowledged, retried later, or dead-lettered. */
  async process(messages: JsMsg[]): Promise<void> {
    this.stats.batches++;
    this.stats.received += messages.length;
    const parsed: { message: JsMsg; input: unknown }[] = [];
    for (const message of messages) {
      try {
        parsed.push({ message, input: JSON.parse(message.string()) });
      } catch (e) {
        await this.deadLetter(message, `not JSON: ${(e as Error).message}`);
      }
    }
    if (parsed.length === 0) return;
    let results: DecideResult[];
    try {
      results = await this.service.decideMany(parsed.map((p) => p.input));
      this.breaker.success();
    } catch (e) {
      this.breaker.failure();
      const why = (e as Error).message;
      this.log(`batch of ${parsed.length} failed (${why}); breaker ${this.breaker.state}`);
      for (const { message } of parsed) {
        const attempt = message.info.deliveryCount;
        if (attempt >= this.maxAttempts)
          await this.deadLetter(message, `failed after ${attempt} attempts: ${why}`);
        else {
          this.stats.retried++;
          message.nak(backoffDelay(attempt));
        }
      }
      return;
    }
    const publishes: Promise<unknown>[] = [];
    const done: JsMsg[] = [];
    for (let i = 0; i < parsed.length; i++) {
      const { message } = parsed[i]!;
      const result = results[i]!;
      if (result.kind === 'invalid') {
        await this.deadLetter(message, 'invalid transaction', result.errors);
      } else if (result.kind === 'conflict') {
        await this.deadLetter(
          message,
          `transaction_id ${result.decision.transaction_id} was decided for another payload`,
        );
      } else {
        if (result.kind === 'created') this.stats.decided++;
        else this.stats.duplicates++;
        // The message id makes a re-publish (after a redelivery) a no-op inside the duplicate window.
        const published = this.js.publish(this.names.decisionSubject, JSON.stringify(result.decision), {
          msgID: `decision-${result.decision.transaction_id}`,
        });
        // Observed now: a failure while a later message of the batch is dead-lettered must not surface as an
        // unhandled rejection (which would end the process); Promise.all below still sees it.
        published.catch(() => undefined);
        publishes.push(published);
        done.push(message);
      }
    }
    try {
      await Promise.all(publishes);
    } catch (e) {
      // Decisions are stored; publishing failed. Redelivery finds them stored and publishes them again.
      this.log(`publishing decisions failed: ${(e as Error).message}`);
      for (const m of done) m.nak(backoffDelay(m.info.deliveryCount));
      return;
    }
    for (const m of done) m.ack();
  }

  private async deadLetter(message: JsMsg, error: string, details?: DeadLetter['details']): Promise<void> {
    await sendToDeadLetters(this.js, this.config, {
      payload: message.string(),
      error,
      details,
      attempts: message.info.deliveryCount,
      subject: message.subject,
      stream_sequence: message.seq,
      at: new Date().toISOString(),
    });
    this.stats.deadLettered++;
    this.service.metrics?.deadLetters.inc();
    message.ack();
  }
}
