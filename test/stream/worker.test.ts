/** The stream worker against a real NATS JetStream server and a real store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { simulate } from '../../src/simulator/index.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionStore } from '../../src/store/types.ts';
import { listDeadLetters, replayDeadLetters } from '../../src/stream/dead-letters.ts';
import { CircuitBreaker } from '../../src/stream/retry-policy.ts';
import { partitionOf, streamNames } from '../../src/stream/stream-config.ts';
import { StreamWorker } from '../../src/stream/stream-worker.ts';
import { publishTransactions } from '../../src/stream/transaction-producer.ts';
import { workerHealth } from '../../src/stream/worker-http.ts';
import { openStream, readStream, removeStreams, testConfig, waitFor } from './stream-fixture.ts';

function transactions(count: number, idPrefix: string): Transaction[] {
  const out: Transaction[] = [];
  for (const { tx } of simulate({ accounts: 200, days: 30, seed: 5, idPrefix })) {
    if (out.length === count) break;
    out.push(tx);
  }
  return out;
}

async function newService(store?: DecisionStore): Promise<DecisionService> {
  const s = store ?? new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-stream-')), 'w.db'));
  await s.migrate();
  return new DecisionService(new Engine({ labelDelayMs: 0 }), s, Date.now, 1000, new Metrics());
}

async function storedCount(store: DecisionStore, ids: string[]): Promise<number> {
  return (await store.findDecisions(ids)).size;
}

test('end to end: N published, N decided, stored and published once each; a redelivered one is not decided again', async (t) => {
  const config = testConfig(4);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const service = await newService();
  const worker = new StreamWorker(stream.js, config, service, { partitions: [0, 1, 2, 3], batchSize: 100 });
  try {
    await worker.start();
    const txs = transactions(1500, 'e2e-');
    const ids = txs.map((tx) => tx.transaction_id);
    assert.equal(await publishTransactions(stream.js, config, txs), 1500);
    await waitFor('1500 stored decisions', async () => (await storedCount(service.store, ids)) === 1500);
    const names = streamNames(config);
    await waitFor(
      '1500 published decisions',
      async () => (await stream.jsm.streams.info(names.decisions)).state.messages === 1500,
    );
    const published = (await readStream(stream, names.decisions)).map(
      (body) => JSON.parse(body).transaction_id as string,
    );
    assert.deepEqual([...published].sort(), [...ids].sort(), 'each decision published once');
    assert.equal(worker.stats.decided, 1500);

    // The same payload again under another message id (as after a producer retry): answered from the store.
    const again = txs.slice(0, 20);
    for (const tx of again) {
      const subject = names.transactionSubject(partitionOf(tx.account_id, config.partitions));
      await stream.js.publish(
        subject,
        JSON.stringify({ ...tx, timestamp: new Date(tx.timestamp).toISOString() }),
        {
          msgID: `again-${tx.transaction_id}`,
        },
      );
    }
    await waitFor('20 duplicates', () => worker.stats.duplicates === 20);
    assert.equal(worker.stats.decided, 1500, 'nothing decided twice');
    assert.equal(
      (await stream.jsm.streams.info(names.decisions)).state.messages,
      1500,
      'republished within the duplicate window: dropped',
    );
    const health = await workerHealth(worker, service);
    assert.equal(health.components.stream.lag, 0);
    assert.equal(health.components.stream.status, 'healthy');
  } finally {
    await worker.stop();
    await service.store.close();
    await removeStreams(stream, config);
  }
});

test('poison messages go to the dead-letter stream with their error, and the stream keeps flowing; dlq replay re-drives', async (t) => {
  const config = testConfig(2);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const service = await newService();
  const worker = new StreamWorker(stream.js, config, service, { partitions: [0, 1], batchSize: 50 });
  try {
    await worker.start();
    const names = streamNames(config);
    const good = transactions(200, 'dlq-');
    const first = good[0]!;
    await stream.js.publish(names.transactionSubject(0), '{not json', { msgID: 'bad-json' });
    await stream.js.publish(
      names.transactionSubject(1),
      JSON.stringify({
        transaction_id: 'bad-amount',
        timestamp: '2026-01-01T00:00:00Z',
        account_id: 'a',
        amount: -5,
        currency: 'EUR',
      }),
      { msgID: 'bad-amount' },
    );
    await publishTransactions(stream.js, config, good);
    await waitFor(
      '200 stored',
      async () =>
        (await storedCount(
          service.store,
          good.map((x) => x.transaction_id),
        )) === 200,
    );
    // Same id, another amount: a conflict, not a second decision.
    const conflicting = {
      ...first,
      amount: first.amount + 1,
      timestamp: new Date(first.timestamp).toISOString(),
    };
    await stream.js.publish(
      names.transactionSubject(partitionOf(first.account_id, 2)),
      JSON.stringify(conflicting),
      {
        msgID: 'conflict-1',
      },
    );
    await waitFor('3 dead letters', async () => (await listDeadLetters(stream.jsm, config)).length === 3);
    const letters = await listDeadLetters(stream.jsm, config);
    const byPayload = (s: string) => letters.find((l) => l.payload.includes(s))!;
    assert.match(byPayload('{not json').error, /not JSON/);
    assert.equal(byPayload('bad-amount').error, 'invalid transaction');
    assert.equal(byPayload('bad-amount').details?.[0]?.path, 'amount');
    assert.match(byPayload(`"amount":${first.amount + 1}`).error, /decided for another payload/);
    for (const l of letters) {
      assert.equal(l.attempts, 1);
      assert.ok(l.subject.startsWith(`${config.prefix}.transactions.`) && l.stream_sequence > 0 && l.at);
    }
    assert.equal(worker.stats.deadLettered, 3);

    // Replay the invalid one: it is removed, published again, fails again, and comes back as a new letter.
    const invalid = byPayload('bad-amount');
    const result = await replayDeadLetters(stream.js, stream.jsm, config, [invalid]);
    assert.deepEqual(result, { replayed: 1, kept: [] });
    await waitFor('the replayed letter back', async () => {
      const now = await listDeadLetters(stream.jsm, config);
      return now.length === 3 && !now.some((l) => l.seq === invalid.seq);
    });
    assert.equal(worker.stats.deadLettered, 4);
  } finally {
    await worker.stop();
    await service.store.close();
    await removeStreams(stream, config);
  }
});

/** A store whose writes fail while `down` is set, as a database outage would. */
function flakyStore(inner: DecisionStore): DecisionStore & { down: boolean; writesDown: boolean } {
  const store = Object.create(inner) as DecisionStore & { down: boolean; writesDown: boolean };
  store.down = false;
  store.writesDown = false;
  store.saveDecisions = async (records) => {
    if (store.down || store.writesDown) throw new Error('connection refused');
    return inner.saveDecisions(records);
  };
  store.findDecisions = async (ids) => {
    if (store.down) throw new Error('connection refused');
    return inner.findDecisions(ids);
  };
  return store;
}

test('transactions whose writes failed are redelivered and counted once in account and merchant state', async (t) => {
  const config = testConfig(1);
  const stream = await openStream(t, config, 1000);
  if (stream === null) return;
  const inner = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-rollback-')), 'r.db'));
  const store = flakyStore(inner);
  const service = await newService(store);
  const worker = new StreamWorker(stream.js, config, service, {
    partitions: [0],
    batchSize: 20,
    maxAttempts: 50,
    breaker: new CircuitBreaker(1000, 10),
  });
  const txs = transactions(60, 'rollback-');
  try {
    await worker.start();
    // Reads work, writes fail: each batch is scored, its write fails, it comes back, several times over.
    store.writesDown = true;
    await publishTransactions(stream.js, config, txs);
    await waitFor('failed writes to be retried', () => worker.stats.retried >= 3 * txs.length, 20_000);
    store.writesDown = false;
    await waitFor(
      'all stored',
      async () =>
        (await storedCount(
          store,
          txs.map((x) => x.transaction_id),
        )) === txs.length,
      30_000,
    );
    // Redeliveries come back in jittered order, so features may differ from an in-order run; the counts may not.
    const perAccount = new Map<string, number>();
    const perMerchant = new Map<string, number>();
    for (const x of txs) {
      perAccount.set(x.account_id, (perAccount.get(x.account_id) ?? 0) + 1);
      perMerchant.set(x.merchant_id!, (perMerchant.get(x.merchant_id!) ?? 0) + 1);
    }
    const state = service.engine.featureStore;
    for (const [account, n] of perAccount)
      assert.equal(state.accounts.total(account), n, `account ${account}`);
    for (const [merchant, n] of perMerchant)
      assert.equal(state.merchant(merchant).traffic.size, n, `merchant ${merchant}`);
  } finally {
    await worker.stop();
    await inner.close();
    await removeStreams(stream, config);
  }
});

test('a store outage: retried with backoff, the circuit opens and closes, nothing lost; past the last attempt, dead-lettered', async (t) => {
  const config = testConfig(1);
  const stream = await openStream(t, config, 1000);
  if (stream === null) return;
  const inner = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-flaky-')), 'f.db'));
  const store = flakyStore(inner);
  const service = await newService(store);
  const breaker = new CircuitBreaker(2, 300);
  const worker = new StreamWorker(stream.js, config, service, {
    partitions: [0],
    batchSize: 20,
    maxAttempts: 50,
    breaker,
  });
  try {
    await worker.start();
    store.down = true;
    const txs = transactions(60, 'flaky-');
    await publishTransactions(stream.js, config, txs);
    await waitFor('the circuit to open', () => breaker.state !== 'closed', 15_000);
    assert.ok(worker.stats.retried > 0);
    const health = await workerHealth(worker, service);
    assert.equal(health.components.stream.status, 'degraded');
    assert.notEqual(health.components.stream.circuit_breaker, 'closed');
    store.down = false;
    await waitFor(
      'all 60 stored after the outage',
      async () =>
        (await storedCount(
          store,
          txs.map((x) => x.transaction_id),
        )) === 60,
      30_000,
    );
    await waitFor('the circuit to close', () => breaker.state === 'closed');
    assert.equal(worker.stats.deadLettered, 0);
  } finally {
    await worker.stop();
  }
  // Now a store that never comes back, and two attempts allowed.
  const giveUp = new StreamWorker(stream.js, config, service, {
    partitions: [0],
    batchSize: 20,
    maxAttempts: 2,
    breaker: new CircuitBreaker(100, 10),
  });
  try {
    await giveUp.start();
    store.down = true;
    await publishTransactions(stream.js, config, transactions(65, 'doomed-').slice(60));
    await waitFor(
      '5 dead letters',
      async () => (await listDeadLetters(stream.jsm, config)).length === 5,
      30_000,
    );
    for (const l of await listDeadLetters(stream.jsm, config)) {
      assert.match(l.error, /failed after 2 attempts: connection refused/);
      assert.equal(l.attempts, 2);
    }
  } finally {
    await giveUp.stop();
    store.down = false;
    await inner.close();
    await removeStreams(stream, config);
  }
});
