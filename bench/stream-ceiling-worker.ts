/**
 * The worker process of `bench stream-ceiling` (bench/stream-ceiling.ts): everything `fraudwatch worker` does on
 * NATS, with the scoring left out. It pulls the partitions it owns (p mod workers = index) through the same
 * MessagePump and batch size, JSON.parses every message, with --pg writes the batch to PostgreSQL with the real
 * store's multi-row INSERT (PostgresStore.saveDecisions), publishes one decision per transaction with an
 * awaited JetStream acknowledgement and a message id, then acknowledges the batch.
 *
 * Started by the benchmark, not by hand: `node --import tsx bench/stream-ceiling-worker.ts`, with NATS_URL,
 * FRAUDWATCH_STREAM_PREFIX, FRAUDWATCH_PARTITIONS, CEILING_INDEX, CEILING_WORKERS, CEILING_BATCH and, for --pg,
 * DATABASE_URL in the environment. It prints `ready` once its consumers are bound, starts pulling on a `go`
 * line on stdin, and on SIGTERM finishes the batch in hand and prints one JSON line of its counts.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { Decision } from '../src/engine/decision.ts';
import { FEATURE_COUNT } from '../src/engine/features/catalog.ts';
import type { Transaction } from '../src/engine/transaction.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import type { NewDecision } from '../src/store/types.ts';
import { MessagePump } from '../src/stream/message-pump.ts';
import { connectStream } from '../src/stream/nats-connection.ts';
import { ownedPartitions, streamConfigFromEnv, streamNames } from '../src/stream/stream-config.ts';

const config = streamConfigFromEnv();
const names = streamNames(config);
const index = Number(process.env.CEILING_INDEX ?? 0);
const workers = Number(process.env.CEILING_WORKERS ?? 1);
const batchSize = Number(process.env.CEILING_BATCH ?? 1000);
const partitions = ownedPartitions(config.partitions, index, workers);

const store = process.env.DATABASE_URL ? new PostgresStore(process.env.DATABASE_URL) : null;
await store?.migrate();
const stream = await connectStream(config);
const consumers: Consumer[] = [];
for (const p of partitions)
  consumers.push(await stream.js.consumers.get(names.transactions, names.consumer(p)));

const stats = { received: 0, decided: 0, batches: 0, failed_batches: 0 };
// The feature vector column gets as many bytes as the engine's vector (all zeros: nothing was computed).
const noFeatures = new Float64Array(FEATURE_COUNT);

/** A decision of the real shape, with nothing decided: approve, score 0, no reasons. */
function emptyDecision(transactionId: string): Decision {
  return {
    transaction_id: transactionId,
    score: 0,
    outcome: 'approve',
    reasons: [],
    rule_score: 0,
    model_score: null,
    model_version: null,
    rules_version: 'ceiling',
    bypassed: false,
    degraded: false,
  };
}

async function process_(batch: JsMsg[]): Promise<void> {
  stats.batches++;
  stats.received += batch.length;
  try {
    const decisions: Decision[] = [];
    const records: NewDecision[] = [];
    const decidedAt = Date.now();
    for (const message of batch) {
      const body = message.string();
      const input = JSON.parse(body) as Record<string, unknown> & {
        transaction_id: string;
        timestamp: string;
      };
      const decision = emptyDecision(input.transaction_id);
      decisions.push(decision);
      if (store !== null) {
        // What the store needs of a validated transaction (epoch-ms timestamp) and of the service (a sha256
        // payload hash), without the validation itself.
        records.push({
          transaction: { ...input, timestamp: Date.parse(input.timestamp) } as unknown as Transaction,
          decision,
          payload_hash: createHash('sha256').update(body).digest('hex'),
          decided_at: decidedAt,
          features: noFeatures,
        });
      }
    }
    // As the real worker: the decisions are committed before they are published, published before the ack.
    if (store !== null) await store.saveDecisions(records);
    const publishes: Promise<unknown>[] = [];
    for (const decision of decisions) {
      const published = stream.js.publish(names.decisionSubject, JSON.stringify(decision), {
        msgID: `decision-${decision.transaction_id}`,
      });
      published.catch(() => undefined);
      publishes.push(published);
    }
    await Promise.all(publishes);
    for (const m of batch) m.ack();
    stats.decided += batch.length;
  } catch (e) {
    stats.failed_batches++;
    console.error(`stream-ceiling worker ${index}: batch failed: ${(e as Error).message}`);
    for (const m of batch) m.nak(200);
  }
}

const pump = new MessagePump(batchSize, process_);
let started = false;
let stopping = false;

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'go' && !started) {
    started = true;
    void (async () => {
      for (const [i, consumer] of consumers.entries()) await pump.add(partitions[i]!, consumer);
    })();
  }
});

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (started) await pump.stop();
  await stream.close();
  await store?.close();
  console.log(JSON.stringify({ index, partitions, ...stats }));
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
console.log('ready');
