/**
 * Issue 16's test, with real parts: NATS JetStream (streams, consumers, the lease bucket) and Redis (the shared
 * account state). One worker starts, a second and a third join while traffic flows, then one of them dies
 * abruptly (its NATS connection is cut: no release, no heartbeat removal, its leases expire). Every transaction
 * must be decided once, no partition may be pulled by two workers at a time, and every account feature must equal
 * what a single worker computes on the same input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Engine } from '../../src/engine/engine.ts';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { RedisAccountState } from '../../src/shared-state/redis-account-state.ts';
import { simulate } from '../../src/simulator/index.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionWithFeatures } from '../../src/store/types.ts';
import { connectStream, type StreamConnection } from '../../src/stream/nats-connection.ts';
import { PartitionLeases, type LeaseEvent } from '../../src/stream/partition-leases.ts';
import { streamNames, type StreamConfig } from '../../src/stream/stream-config.ts';
import { StreamWorker } from '../../src/stream/stream-worker.ts';
import { publishTransactions } from '../../src/stream/transaction-producer.ts';
import { REDIS_URL, requireRedis } from '../shared-state/redis-fixture.ts';
import { openStream, readStream, removeStreams, testConfig, waitFor } from './stream-fixture.ts';

const PARTITIONS = 6;
const COUNT = 4000;
const LEASE_TTL_MS = 1500;
const ACK_WAIT_MS = 2000;

/** Account features: the merchant counts and label rates are per process (docs/streaming.md). */
const ACCOUNT_FEATURES = FEATURE_NAMES.map((name, i) => ({ name, i })).filter(
  (f) => !f.name.startsWith('merchant_'),
);

interface LeasedWorker {
  connection: StreamConnection;
  worker: StreamWorker;
  leases: PartitionLeases;
  shared: RedisAccountState;
}

async function leasedWorker(
  config: StreamConfig,
  store: SqliteStore,
  redisPrefix: string,
  events: LeaseEvent[],
): Promise<LeasedWorker> {
  const connection = await connectStream(config, { ackWaitMs: ACK_WAIT_MS });
  const engine = new Engine({ labelDelayMs: 0 });
  const shared = new RedisAccountState(engine.featureStore.accounts, { url: REDIS_URL, prefix: redisPrefix });
  const service = new DecisionService(engine, store, Date.now, 1000, new Metrics(), shared);
  const worker = new StreamWorker(connection.js, config, service, { batchSize: 50 });
  const leases = await PartitionLeases.open(connection.js, connection.jsm, config, worker, {
    ttlMs: LEASE_TTL_MS,
    onEvent: (e) => events.push(e),
  });
  await leases.start();
  return { connection, worker, leases, shared };
}

function traffic(): Transaction[] {
  const txs: Transaction[] = [];
  for (const { tx } of simulate({ accounts: 150, days: 30, seed: 16, idPrefix: 'lease-' })) {
    if (txs.length === COUNT) break;
    txs.push(tx);
  }
  return txs;
}

/** The reference: one worker owning every partition, its account state in its own memory. */
async function singleWorker(config: StreamConfig, txs: Transaction[]) {
  const connection = await connectStream(config, { ackWaitMs: ACK_WAIT_MS });
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, new Metrics());
  const worker = new StreamWorker(connection.js, config, service, {
    partitions: [...Array(PARTITIONS).keys()],
    batchSize: 100,
  });
  try {
    await worker.start();
    await publishTransactions(connection.js, config, txs);
    await waitFor(
      'the single worker decided everything',
      async () => (await store.findDecisions(txs.map((x) => x.transaction_id))).size === txs.length,
    );
    return new Map((await store.recentDecisions(txs.length)).map((r) => [r.transaction.transaction_id, r]));
  } finally {
    await worker.stop();
    await store.close();
    await removeStreams(connection, config);
  }
}

/** Per partition, the [started, stopped] intervals of each worker; overlapping ones are a double owner. */
function assertExclusive(events: LeaseEvent[], ends: Map<string, number>): void {
  const intervals = new Map<number, { worker: string; from: number; to: number }[]>();
  const open = new Map<string, number>();
  for (const e of events) {
    const key = `${e.worker}/${e.partition}`;
    if (e.kind === 'started') open.set(key, e.at);
    else {
      const from = open.get(key);
      assert.ok(from !== undefined, `stopped without a start: ${key}`);
      open.delete(key);
      intervals.set(e.partition, [
        ...(intervals.get(e.partition) ?? []),
        { worker: e.worker, from, to: e.at },
      ]);
    }
  }
  for (const [key, from] of open) {
    const [worker, p] = key.split('/');
    const to = ends.get(worker!) ?? Date.now();
    intervals.set(Number(p), [...(intervals.get(Number(p)) ?? []), { worker: worker!, from, to }]);
  }
  for (const [p, list] of intervals) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      assert.ok(
        list[i]!.from >= list[i - 1]!.to,
        `partition ${p} pulled by two workers at once: ${JSON.stringify(list.slice(i - 1, i + 1))}`,
      );
    }
  }
}

test('1, then 2, then 3 leased workers, one killed: each transaction decided once, one owner per partition at a time, account features as a single worker', async (t) => {
  if (!(await requireRedis(t))) return;
  const reference = testConfig(PARTITIONS);
  const probe = await openStream(t, reference, ACK_WAIT_MS);
  if (probe === null) return;
  await probe.close();
  const txs = traffic();
  const single = await singleWorker(reference, txs);

  const config = testConfig(PARTITIONS);
  const admin = (await openStream(t, config, ACK_WAIT_MS))!;
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const redisPrefix = `test-${randomUUID()}`;
  const events: LeaseEvent[] = [];
  const workers: LeasedWorker[] = [];
  /** When each worker ended (the killed one at its kill) for the intervals still open. */
  const ends = new Map<string, number>();
  const stored = async () => (await store.findDecisions(txs.map((x) => x.transaction_id))).size;
  const held = (w: LeasedWorker) => w.worker.partitions.length;
  try {
    // Traffic in four parts, each published while the set of workers changes, so every change happens with
    // messages in flight and every worker gets some of them.
    const part = (i: number) => txs.slice((i * COUNT) / 4, ((i + 1) * COUNT) / 4);
    const publish = (i: number) => publishTransactions(admin.js, config, part(i), { rate: 400 });
    const decidedUpTo = (i: number) =>
      waitFor(`part ${i + 1} decided`, async () => (await stored()) === ((i + 1) * COUNT) / 4, 60_000);

    workers.push(await leasedWorker(config, store, redisPrefix, events));
    await waitFor('worker 1 pulls every partition', () => held(workers[0]!) === PARTITIONS, 10_000);
    await publish(0);
    await decidedUpTo(0);

    let publishing = publish(1);
    workers.push(await leasedWorker(config, store, redisPrefix, events));
    await waitFor(`3 and 3 (${workers.map(held)})`, () => workers.map(held).join() === '3,3', 20_000);
    await publishing;
    await decidedUpTo(1);

    publishing = publish(2);
    workers.push(await leasedWorker(config, store, redisPrefix, events));
    await waitFor(`2, 2 and 2 (${workers.map(held)})`, () => workers.map(held).join() === '2,2,2', 20_000);
    await waitFor('part 3 under way', async () => (await stored()) > (COUNT / 4) * 2 + 200, 30_000);
    const killed = workers[1]!;
    const killedAt = Date.now();
    ends.set(killed.leases.workerId, killedAt);
    await killed.connection.nc.close(); // abrupt: nothing released, nothing acknowledged from now on
    const survivors = [workers[0]!, workers[2]!];
    await publishing;
    publishing = publish(3);
    await waitFor(
      `the survivors take the dead worker's partitions (${survivors.map(held)})`,
      () => survivors.map(held).join() === '3,3',
      20_000,
    );
    await publishing;
    await waitFor(`${COUNT} decided`, async () => (await stored()) === COUNT, 60_000);

    // Decided once: one stored row per transaction, one "created" per transaction across all workers.
    const rows = await store.recentDecisions(COUNT + 100);
    assert.equal(rows.length, COUNT);
    const decided = workers.map((w) => w.worker.stats.decided);
    assert.equal(
      decided.reduce((a, b) => a + b, 0),
      COUNT,
      `decided per worker ${decided}: each transaction decided by exactly one`,
    );
    assert.ok(
      decided.every((n) => n > 0),
      `every worker took part (${decided})`,
    );
    const names = streamNames(config);
    await waitFor(
      `${COUNT} decisions published`,
      async () => (await admin.jsm.streams.info(names.decisions)).state.messages >= COUNT,
      20_000,
    );
    const published = (await readStream(admin, names.decisions)).map((b) => JSON.parse(b).transaction_id);
    assert.equal(new Set(published).size, COUNT, 'each decision on the decisions stream');
    assert.equal(published.length, COUNT, 'and only once');

    // The dead worker's partitions moved only once its leases had expired.
    const movedAfterKill = events.filter((e) => e.kind === 'started' && e.at > killedAt);
    assert.ok(movedAfterKill.length >= 2, JSON.stringify(movedAfterKill));
    for (const e of movedAfterKill) {
      assert.notEqual(e.worker, killed.leases.workerId);
      assert.ok(
        e.at - killedAt >= LEASE_TTL_MS / 2,
        `partition ${e.partition} taken ${e.at - killedAt} ms after`,
      );
    }
    assertExclusive(events, ends);

    // The features every transaction was decided with equal a single worker's, through every hand-over.
    const byId = new Map<string, DecisionWithFeatures>(rows.map((r) => [r.transaction.transaction_id, r]));
    let mismatches = 0;
    const firstMismatches: string[] = [];
    for (const tx of txs) {
      const a = single.get(tx.transaction_id)!;
      const b = byId.get(tx.transaction_id)!;
      for (const f of ACCOUNT_FEATURES) {
        if (!Object.is(b.features![f.i], a.features![f.i])) {
          mismatches++;
          if (firstMismatches.length < 5)
            firstMismatches.push(
              `${tx.transaction_id} ${f.name}: ${b.features![f.i]} vs ${a.features![f.i]}`,
            );
        }
      }
    }
    assert.equal(mismatches, 0, firstMismatches.join('\n'));
  } finally {
    for (const w of workers) {
      if (w.connection.nc.isClosed()) {
        await w.leases.stop().catch(() => undefined);
        await w.worker.stop().catch(() => undefined);
      } else {
        await w.leases.stop();
        await w.worker.stop();
        await w.connection.close();
      }
      await w.shared.close();
    }
    await store.close();
    await removeStreams(admin, config);
  }
});
