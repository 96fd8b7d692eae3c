/**
 * Creates (or checks) the three streams and the per-partition consumers; safe to run from every process. The
 * transactions stream records its partition count, and a process configured with another count is refused
 * before it creates a consumer or publishes anything (partition-count.ts).
 */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { checkPartitionCount, partitionRecord, recordedPartitions } from './partition-count.ts';
import { streamNames, type StreamConfig } from './stream-config.ts';

export interface ConsumerTuning {
  /** How long a delivered, unacknowledged message waits before it is delivered again (set at creation). */
  ackWaitMs: number;
}

export const DEFAULT_TUNING: ConsumerTuning = { ackWaitMs: 30_000 };

async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  extra: { description?: string; metadata?: Record<string, string> } = {},
): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(name);
  } catch {
    try {
      return await jsm.streams.add({
        name,
        subjects,
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        // Publishers set a message id (the transaction id): a republish within this window is dropped.
        duplicate_window: nanos(2 * 60_000),
        ...extra,
      });
    } catch (e) {
      // Another process created it in the meantime (perhaps with another partition count): read theirs.
      return await jsm.streams.info(name).catch(() => Promise.reject(e));
    }
  }
}

/**
 * The stream's partition count: the recorded one, or for a stream made before counts were recorded, the number of
 * partition consumers it has (recorded from now on).
 */
async function streamPartitions(
  jsm: JetStreamManager,
  info: StreamInfo,
  config: StreamConfig,
  metadataSupported: boolean,
): Promise<number> {
  const recorded = recordedPartitions(info);
  if (recorded !== null) return recorded;
  const names = streamNames(config);
  const pattern = new RegExp(`^${config.prefix}-partition-(\\d+)$`);
  let inferred = 0;
  for await (const consumer of jsm.consumers.list(names.transactions)) {
    const index = pattern.exec(consumer.name)?.[1];
    if (index !== undefined) inferred = Math.max(inferred, Number(index) + 1);
  }
  const partitions = inferred > 0 ? inferred : config.partitions;
  await jsm.streams.update(names.transactions, {
    ...info.config,
    ...partitionRecord(partitions, metadataSupported),
  });
  return partitions;
}

export async function ensureTopology(
  jsm: JetStreamManager,
  config: StreamConfig,
  tuning: ConsumerTuning = DEFAULT_TUNING,
  metadataSupported = false,
): Promise<void> {
  const names = streamNames(config);
  const transactions = await ensureStream(
    jsm,
    names.transactions,
    [names.transactionSubjects],
    partitionRecord(config.partitions, metadataSupported),
  );
  checkPartitionCount(
    names.transactions,
    config.partitions,
    await streamPartitions(jsm, transactions, config, metadataSupported),
  );
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
