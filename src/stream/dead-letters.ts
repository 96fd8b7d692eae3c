/**
 * The dead-letter stream: a message that cannot be decided (not JSON, not a valid transaction, an id already
 * used by another payload, or still failing after its last attempt) is kept here with its original payload, the
 * error, the attempt count and the time, so an operator can read it and re-drive it once the cause is fixed.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { partitionOf, streamNames, type StreamConfig } from './stream-config.ts';

export interface DeadLetter {
  /** The original message body, as text (it may not be JSON). */
  payload: string;
  /** Why it was dead-lettered, one line. */
  error: string;
  /** Field errors, when the transaction failed validation. */
  details?: { path: string; message: string }[];
  attempts: number;
  /** Where it came from: subject and stream sequence. */
  subject: string;
  stream_sequence: number;
  at: string;
}

export async function sendToDeadLetters(
  js: JetStreamClient,
  config: StreamConfig,
  letter: DeadLetter,
): Promise<void> {
  const names = streamNames(config);
  // The message id makes a repeated dead-lettering of the same delivery (after a crash) a no-op.
  await js.publish(names.deadLetterSubject, JSON.stringify(letter), {
    msgID: `dlq-${letter.subject}-${letter.stream_sequence}`,
  });
}

export interface StoredDeadLetter extends DeadLetter {
  /** Sequence in the dead-letter stream, to replay or delete one. */
  seq: number;
}

/** Dead letters still in the stream, oldest first. */
export async function listDeadLetters(
  jsm: JetStreamManager,
  config: StreamConfig,
  limit = 100,
): Promise<StoredDeadLetter[]> {
  const names = streamNames(config);
  const info = await jsm.streams.info(names.deadLetters);
  const out: StoredDeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && out.length < limit; seq++) {
    let message;
    try {
      message = await jsm.streams.getMessage(names.deadLetters, { seq });
    } catch {
      continue; // deleted (replayed) sequences leave gaps
    }
    if (message === null) continue;
    out.push({ ...(message.json() as DeadLetter), seq });
  }
  return out;
}

/**
 * Publishes the original payloads again to their transaction subject (by account, as the producer does), then
 * deletes them from the dead-letter stream. Payloads that are still not JSON with an account id stay put.
 */
export async function replayDeadLetters(
  js: JetStreamClient,
  jsm: JetStreamManager,
  config: StreamConfig,
  letters: StoredDeadLetter[],
): Promise<{ replayed: number; kept: { seq: number; why: string }[] }> {
  const names = streamNames(config);
  let replayed = 0;
  const kept: { seq: number; why: string }[] = [];
  for (const letter of letters) {
    let account: unknown;
    try {
      account = (JSON.parse(letter.payload) as { account_id?: unknown }).account_id;
    } catch {
      kept.push({ seq: letter.seq, why: 'payload is not JSON' });
      continue;
    }
    const partition = typeof account === 'string' ? partitionOf(account, config.partitions) : 0;
    await js.publish(names.transactionSubject(partition), letter.payload, {
      msgID: `replay-${letter.seq}-${letter.stream_sequence}`,
    });
    await jsm.streams.deleteMessage(names.deadLetters, letter.seq);
    replayed++;
  }
  return { replayed, kept };
}
