/**
 * The partition count is a property of the transactions stream, not of each process: it is recorded in the stream
 * when the stream is created, and a producer or worker configured with another count is refused. A producer with
 * 4 partitions on an 8-partition stream would send an account's transactions to a partition another worker owns,
 * and two workers would then keep diverging state for one account.
 *
 * The count goes into the stream config's `metadata` (servers 2.10 and later) and, because older servers have no
 * metadata, into its `description` too, in a fixed form this module reads back.
 */
import type { StreamInfo } from '@nats-io/jetstream';

export const PARTITIONS_METADATA_KEY = 'fraudwatch_partitions';

/** The description written into the stream: human-readable, and the record on servers without metadata. */
export function partitionDescription(partitions: number): string {
  return `fraudwatch transactions; partitions=${partitions} (FRAUDWATCH_PARTITIONS)`;
}

/** What to add to the stream's config to record `partitions`. */
export function partitionRecord(
  partitions: number,
  metadataSupported: boolean,
): { description: string; metadata?: Record<string, string> } {
  const description = partitionDescription(partitions);
  return metadataSupported
    ? { description, metadata: { [PARTITIONS_METADATA_KEY]: String(partitions) } }
    : { description };
}

/** The partition count recorded in a stream, or null when none is (a stream made by an older release). */
export function recordedPartitions(info: Pick<StreamInfo, 'config'>): number | null {
  const fromMetadata = info.config.metadata?.[PARTITIONS_METADATA_KEY];
  const fromDescription = /(?:^|; )partitions=(\d+)\b/.exec(info.config.description ?? '')?.[1];
  const text = fromMetadata ?? fromDescription;
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A process configured with another count than the stream's; its message is one line naming the setting. */
export class PartitionCountMismatch extends Error {
  constructor(
    readonly stream: string,
    readonly configured: number,
    readonly recorded: number,
  ) {
    super(
      `FRAUDWATCH_PARTITIONS is ${configured} but stream ${stream} has ${recorded} partitions: set FRAUDWATCH_PARTITIONS=${recorded} (the count is fixed for the life of the stream)`,
    );
    this.name = 'PartitionCountMismatch';
  }
}

/** Throws PartitionCountMismatch unless the configured count is the recorded one. */
export function checkPartitionCount(stream: string, configured: number, recorded: number): void {
  if (configured !== recorded) throw new PartitionCountMismatch(stream, configured, recorded);
}

/** "2.10.3" -> true; the first release whose streams carry metadata. */
export function serverHasStreamMetadata(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '0.0').split('.').map((part) => Number.parseInt(part, 10));
  return major > 2 || (major === 2 && minor >= 10);
}
