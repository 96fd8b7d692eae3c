/**
 * Publishes transactions into the stream, each to its account's partition subject, with the transaction id as
 * the message id (a republish within the duplicate window is dropped by the server). Publishes are pipelined:
 * up to `inFlight` acknowledgements are awaited together, which is what makes JetStream publishing fast.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { transactionToJSON, type Transaction } from '../engine/transaction.ts';
import { partitionOf, streamNames, type StreamConfig } from './stream-config.ts';

export interface PublishOptions {
  /** Transactions a second; 0 or omitted for as fast as the server acknowledges. */
  rate?: number;
  inFlight?: number;
  onProgress?: (published: number) => void;
}

export async function publishTransactions(
  js: JetStreamClient,
  config: StreamConfig,
  transactions: Iterable<Transaction>,
  options: PublishOptions = {},
): Promise<number> {
  const names = streamNames(config);
  const inFlight = options.inFlight ?? 256;
  const rate = options.rate ?? 0;
  const started = performance.now();
  let pending: Promise<unknown>[] = [];
  let published = 0;
  for (const tx of transactions) {
    if (rate > 0) {
      const due = started + (published * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) {
        await Promise.all(pending);
        pending = [];
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    const subject = names.transactionSubject(partitionOf(tx.account_id, config.partitions));
    pending.push(js.publish(subject, JSON.stringify(transactionToJSON(tx)), { msgID: tx.transaction_id }));
    published++;
    if (pending.length >= inFlight) {
      await Promise.all(pending);
      pending = [];
      options.onProgress?.(published);
    }
  }
  await Promise.all(pending);
  options.onProgress?.(published);
  return published;
}
