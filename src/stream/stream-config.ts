/**
 * Names and sizes of the streaming setup, with documented defaults (docs/streaming.md). Transactions are
 * spread over `partitions` subjects by account, so every transaction of an account lands on one subject and is
 * decided, in order, by the one worker that owns that subject.
 */

export interface StreamConfig {
  /** NATS server(s), e.g. nats://127.0.0.1:4222. */
  url: string;
  /** Prefix of every subject, stream and consumer name, so several deployments (or test runs) can share a server. */
  prefix: string;
  /** Number of transaction subjects (partitions); fixed for the life of a stream. */
  partitions: number;
}

export const DEFAULT_STREAM_CONFIG: StreamConfig = {
  url: 'nats://127.0.0.1:4222',
  prefix: 'fraudwatch',
  partitions: 8,
};

export function streamConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StreamConfig {
  const partitions = env.FRAUDWATCH_PARTITIONS === undefined ? 8 : Number(env.FRAUDWATCH_PARTITIONS);
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new RangeError(
      `FRAUDWATCH_PARTITIONS: must be an integer from 1 to 1024, got ${env.FRAUDWATCH_PARTITIONS}`,
    );
  }
  const prefix = env.FRAUDWATCH_STREAM_PREFIX ?? DEFAULT_STREAM_CONFIG.prefix;
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new RangeError(
      `FRAUDWATCH_STREAM_PREFIX: letters, digits, _ and - only, got ${JSON.stringify(prefix)}`,
    );
  }
  return { url: env.NATS_URL ?? DEFAULT_STREAM_CONFIG.url, prefix, partitions };
}

/** Stream, subject and consumer names derived from the prefix. */
export function streamNames(config: StreamConfig) {
  const p = config.prefix;
  const upper = p.toUpperCase().replace(/-/g, '_');
  return {
    transactions: `${upper}_TRANSACTIONS`,
    decisions: `${upper}_DECISIONS`,
    deadLetters: `${upper}_DLQ`,
    transactionSubject: (partition: number) => `${p}.transactions.${partition}`,
    transactionSubjects: `${p}.transactions.*`,
    decisionSubject: `${p}.decisions`,
    deadLetterSubject: `${p}.dlq`,
    /** One durable consumer per partition: whichever worker owns the partition pulls from it. */
    consumer: (partition: number) => `${p}-partition-${partition}`,
  };
}

/** FNV-1a over the account id's UTF-16 code units: stable across processes and releases. */
export function partitionOf(accountId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    hash ^= accountId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** The partitions a worker owns: `index` of `count` workers takes every count-th partition. */
export function ownedPartitions(partitions: number, index: number, count: number): number[] {
  if (!(Number.isSafeInteger(count) && count >= 1))
    throw new RangeError(`workers: must be a positive integer`);
  if (!(Number.isSafeInteger(index) && index >= 0 && index < count)) {
    throw new RangeError(`worker index: must be an integer from 0 to ${count - 1}`);
  }
  const owned: number[] = [];
  for (let p = index; p < partitions; p += count) owned.push(p);
  return owned;
}
