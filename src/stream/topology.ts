/** Creates (or checks) the three streams and the per-partition consumers; safe to run from every process. */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { streamNames, type StreamConfig } from './stream-config.ts';

export interface ConsumerTuning {
  /** How long a delivered, unacknowledged message waits before it is delivered again (set at creation). */
  ackWaitMs: number;
}

export const DEFAULT_TUNING: ConsumerTuning = { ackWaitMs: 30_000 };

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({
      name,
      subjects,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // Publishers set a message id (the transaction id): a republish within this window is dropped.
      duplicate_window: nanos(2 * 60_000),
    });
  }
}

export async function ensureTopology(
  jsm: JetStreamManager,
  config: StreamConfig,
  tuning: ConsumerTuning = DEFAULT_TUNING,
): Promise<void> {
  const names = streamNames(config);
  await ensureStream(jsm, names.transactions, [names.transactionSubjects]);
  await ensureStream(jsm, names.decisions, [names.decisionSubject]);
  await ensureStream(jsm, names.deadLetters, [names.deadLetterSubject]);
  for (let p = 0; p < config.partitions; p++) {
    const durable = names.consumer(p);
    try {
      await jsm.consumers.info(names.transactions, durable);
    } catch {
      await jsm.consumers.add(names.transactions, {
        durable_name: durable,
        filter_subject: names.transactionSubject(p),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(tuning.ackWaitMs),
        // The worker itself decides when to give up (and dead-letters the message); the server never drops one.
        max_deliver: -1,
        max_ack_pending: 10_000,
      });
    }
  }
}
