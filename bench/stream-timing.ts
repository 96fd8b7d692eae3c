/**
 * How the stream benchmarks read their results off the streams themselves: when a stream holds N messages, each
 * message's server timestamp by transaction id, and percentiles of the latencies computed from them.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import type { StreamConnection } from '../src/stream/nats-connection.ts';

export async function messageTimes(
  stream: StreamConnection,
  name: string,
  from = 1,
): Promise<Map<string, number>> {
  // An ordered consumer reads the whole stream fast; the server's timestamp is kept per transaction id.
  const consumer = await stream.js.consumers.get(name, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const info = await stream.jsm.streams.info(name);
  const times = new Map<string, number>();
  const last = info.state.last_seq;
  if (info.state.messages === 0) return times;
  const messages = await consumer.consume({ max_messages: 10_000 });
  for await (const m of messages) {
    const id = (m.json() as { transaction_id: string }).transaction_id;
    times.set(id, m.info.timestampNanos / 1e6);
    if (m.seq >= last) break;
  }
  return times;
}

export async function waitForMessages(
  stream: StreamConnection,
  name: string,
  count: number,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await stream.jsm.streams.info(name);
    if (info.state.messages >= count) return info;
    if (Date.now() > deadline)
      throw new Error(`${name}: ${info.state.messages} of ${count} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The p-quantile of ascending `sorted`; NaN when it is empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Publish-to-decision latencies (ms, ascending) of the decided transactions whose publication is known. */
export function sortedLatencies(published: Map<string, number>, decided: Map<string, number>): number[] {
  const latencies: number[] = [];
  for (const [id, at] of decided) {
    const sent = published.get(id);
    if (sent !== undefined) latencies.push(at - sent);
  }
  return latencies.sort((a, b) => a - b);
}
