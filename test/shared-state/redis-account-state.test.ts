/** Per-account state shared through a real Redis: no lost updates across processes, degraded while Redis is down. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { Engine } from '../../src/engine/engine.ts';
import { ACCOUNT_IDLE_MS } from '../../src/engine/features/account-arena.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { RedisAccountState } from '../../src/shared-state/redis-account-state.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { StreamWorker } from '../../src/stream/stream-worker.ts';
import { publishTransactions } from '../../src/stream/transaction-producer.ts';
import { openStream, removeStreams, testConfig, waitFor } from '../stream/stream-fixture.ts';
import { freePort, REDIS_URL, requireRedis, startPrivateRedis } from './redis-fixture.ts';

const TOTAL = indexOfFeature('account_tx_total');
const T0 = Date.UTC(2026, 5, 1);

async function node(url: string, prefix: string, store?: SqliteStore) {
  const engine = new Engine({ labelDelayMs: 0 });
  const shared = new RedisAccountState(engine.featureStore.accounts, { url, prefix, waitMs: 10_000 });
  const s = store ?? new SqliteStore(':memory:');
  await s.migrate();
  return {
    engine,
    shared,
    store: s,
    service: new DecisionService(engine, s, Date.now, 1000, new Metrics(), shared),
  };
}

const tx = (id: string, i: number, account = 'acct-shared') => ({
  transaction_id: id,
  timestamp: new Date(T0 + i * 60_000).toISOString(),
  account_id: account,
  amount: 10 + i,
  currency: 'EUR',
  merchant_id: 'm-1',
});

test('two services on one account at the same time: every transaction sees every earlier one, none is lost', async (t) => {
  if (!(await requireRedis(t))) return;
  const prefix = `test-${randomUUID()}`;
  const a = await node(REDIS_URL, prefix);
  const b = await node(REDIS_URL, prefix, a.store);
  try {
    // 60 transactions, alternately sent to two services, all in flight together.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).service.decide(tx(`shared-${i}`, i))),
    );
    assert.ok(results.every((r) => r.kind === 'created' && !r.decision.degraded));
    // Each saw a distinct number of earlier transactions: 0, 1, ..., 59 (a lost update would repeat one).
    const seen = (await a.store.recentDecisions(60)).map((r) => r.features![TOTAL]!).sort((x, y) => x - y);
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => i),
    );
    // And a third process starting cold picks the account up where the others left it.
    const c = await node(REDIS_URL, prefix, a.store);
    await c.service.decide(tx('shared-60', 60));
    const [latest] = await a.store.recentDecisions(1);
    assert.equal(latest!.features![TOTAL], 60);
    await c.shared.close();
  } finally {
    await a.shared.close();
    await b.shared.close();
    await a.store.close();
  }
});

test('account blocks in Redis expire 31 days after their last write; each write renews the time to live', async (t) => {
  if (!(await requireRedis(t))) return;
  const prefix = `test-${randomUUID()}`;
  const a = await node(REDIS_URL, prefix);
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    assert.equal((await a.service.decide(tx('ttl-1', 1, 'acct-ttl'))).kind, 'created');
    const key = `${prefix}:account:acct-ttl`;
    const first = await client.pTTL(key);
    assert.ok(first > ACCOUNT_IDLE_MS - 60_000 && first <= ACCOUNT_IDLE_MS, `PTTL ${first}`);
    await client.pExpire(key, 60_000); // as if written long ago
    assert.equal((await a.service.decide(tx('ttl-2', 2, 'acct-ttl'))).kind, 'created');
    assert.ok((await client.pTTL(key)) > ACCOUNT_IDLE_MS - 60_000, 'the write set a full time to live again');
    assert.equal(ACCOUNT_IDLE_MS, 31 * 86_400_000, 'the 30-day window plus a day of lateness');
    // No key of this run is left without an expiry (-1), locks included.
    for (const k of await client.keys(`${prefix}:*`)) assert.ok((await client.pTTL(k)) > 0, `${k} has a TTL`);
  } finally {
    await client.close();
    await a.shared.close();
    await a.store.close();
  }
});

test('with Redis, a restart rebuilds merchants only: the accounts Redis kept are not counted twice', async (t) => {
  if (!(await requireRedis(t))) return;
  const prefix = `test-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-redis-rebuild-'));
  const a = await node(REDIS_URL, prefix, new SqliteStore(join(dir, 'r.db')));
  for (let i = 0; i < 5; i++)
    assert.equal((await a.service.decide(tx(`rb-${i}`, i, 'acct-rb'))).kind, 'created');
  await a.shared.close();
  await a.store.close();
  const b = await node(REDIS_URL, prefix, new SqliteStore(join(dir, 'r.db')));
  try {
    await b.service.startRebuild().finishedPromise;
    assert.equal(b.service.rebuild!.progress.transactions, 5);
    // Nothing recorded into the local account copy, which a lease taken meanwhile would write back to Redis.
    assert.equal(b.engine.featureStore.accounts.total('acct-rb'), 0);
    const r = await b.service.decide(tx('rb-5', 5, 'acct-rb'));
    assert.ok(r.kind === 'created' && !r.decision.degraded);
    const [latest] = await b.store.recentDecisions(1);
    assert.equal(latest!.features![TOTAL], 5, 'five earlier transactions, from Redis, once');
    assert.equal(latest!.features![indexOfFeature('merchant_count_30d')], 5, 'the merchant was rebuilt');
  } finally {
    await b.shared.close();
    await b.store.close();
  }
});

test('a lease held longer than its lock time keeps the lock; a lease whose lock was lost does not overwrite the new holder', async (t) => {
  if (!(await requireRedis(t))) return;
  const prefix = `test-${randomUUID()}`;
  const first = new Engine({ labelDelayMs: 0 });
  const second = new Engine({ labelDelayMs: 0 });
  const a = new RedisAccountState(first.featureStore.accounts, {
    url: REDIS_URL,
    prefix,
    lockMs: 300,
    waitMs: 200,
  });
  const b = new RedisAccountState(second.featureStore.accounts, {
    url: REDIS_URL,
    prefix,
    lockMs: 300,
    waitMs: 200,
  });
  try {
    const held = await a.lease(['acct-slow']);
    assert.equal(held.available, true);
    first.score({ ...tx('slow-1', 1, 'acct-slow'), timestamp: T0 + 60_000 });
    // Three lock lifetimes later the lock is still held (renewed): another process cannot take the account.
    await new Promise((r) => setTimeout(r, 900));
    const blocked = await b.lease(['acct-slow']);
    assert.equal(blocked.available, false, 'still locked by the first lease');
    assert.equal(await held.release(), 0);
    const next = await b.lease(['acct-slow']);
    assert.equal(next.available, true);
    assert.equal(second.featureStore.accounts.total('acct-slow'), 1, 'the first lease wrote its state back');
    await next.release();

    // A lock that is lost (here deleted, as an expiry would) and taken by another lease: the first lease's
    // release writes nothing and says so.
    const stale = await a.lease(['acct-lost']);
    first.score({ ...tx('lost-1', 1, 'acct-lost'), timestamp: T0 + 60_000 });
    const raw = (a as unknown as { client: { del(key: string): Promise<number> } }).client;
    await raw.del(`${prefix}:lock:acct-lost`);
    const taker = await b.lease(['acct-lost']);
    assert.equal(taker.available, true);
    second.score({ ...tx('lost-2', 2, 'acct-lost'), timestamp: T0 + 120_000 });
    second.score({ ...tx('lost-3', 3, 'acct-lost'), timestamp: T0 + 180_000 });
    assert.equal(await stale.release(), 1, 'one lock lost');
    assert.equal(await taker.release(), 0);
    const check = await a.lease(['acct-lost']);
    assert.equal(
      first.featureStore.accounts.total('acct-lost'),
      2,
      "the taker's state (2), not the stale one's (1)",
    );
    await check.release();
  } finally {
    await a.close();
    await b.close();
  }
});

test('Redis stopped mid-run: no crash, decisions on fresh features marked degraded, normal again when it is back', async (t) => {
  if (!(await requireRedis(t))) return;
  const port = await freePort();
  let redis = await startPrivateRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const n = await node(url, 'outage');
  try {
    for (let i = 0; i < 5; i++)
      assert.equal((await n.service.decide(tx(`up-${i}`, i, 'acct-o'))).kind, 'created');
    const before = await n.service.decide(tx('up-5', 5, 'acct-o'));
    assert.equal(before.kind === 'created' && before.decision.degraded, false);
    assert.equal(await n.shared.ping(), true);

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const down = await n.service.decide(tx('down-0', 6, 'acct-o'));
    assert.equal(down.kind, 'created');
    assert.equal(down.kind === 'created' && down.decision.degraded, true, 'marked degraded');
    const [stored] = await n.store.recentDecisions(1);
    assert.equal(stored!.features![TOTAL], 0, 'scored on fresh (default) account features');
    assert.equal(await n.shared.ping(), false);

    redis = await startPrivateRedis(port); // empty again: a fresh Redis, as after a failover without persistence
    let back: Awaited<ReturnType<typeof n.service.decide>> | null = null;
    for (let i = 0; i < 50; i++) {
      back = await n.service.decide(tx(`back-${i}`, 7 + i, 'acct-o'));
      if (back.kind === 'created' && !back.decision.degraded) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(back?.kind === 'created' && back.decision.degraded, false, 'recovered by itself');
    assert.equal(await n.shared.ping(), true);
  } finally {
    await n.shared.close();
    await n.store.close();
    redis.kill('SIGKILL');
  }
});

test('a stream worker with shared state: Redis killed mid-run and started again; no crash, degraded while down, normal after', async (t) => {
  if (!(await requireRedis(t))) return;
  const config = testConfig(2);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const port = await freePort();
  let redis = await startPrivateRedis(port);
  const n = await node(`redis://127.0.0.1:${port}`, 'worker-outage');
  const worker = new StreamWorker(stream.js, config, n.service, { partitions: [0, 1], batchSize: 50 });
  const phase = (name: string, from: number) =>
    Array.from({ length: 100 }, (_, i) => ({
      ...tx(`${name}-${i}`, from + i, `acct-${i % 10}`),
      timestamp: T0 + (from + i) * 60_000,
    }));
  const degradedOf = async (ids: string[]) => {
    const found = await n.store.findDecisions(ids);
    return [...found.values()].filter((d) => d.decision.degraded).length;
  };
  const settle = (ids: string[]) =>
    waitFor(`${ids.length} decided`, async () => (await n.store.findDecisions(ids)).size === ids.length);
  try {
    await worker.start();
    const before = phase('before', 0);
    await publishTransactions(stream.js, config, before);
    await settle(before.map((x) => x.transaction_id));
    assert.equal(await degradedOf(before.map((x) => x.transaction_id)), 0);

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const during = phase('during', 100);
    await publishTransactions(stream.js, config, during);
    await settle(during.map((x) => x.transaction_id));
    assert.equal(
      await degradedOf(during.map((x) => x.transaction_id)),
      100,
      'all degraded while Redis is down',
    );

    redis = await startPrivateRedis(port);
    await waitFor('Redis reachable again', () => n.shared.ping());
    const after = phase('after', 200);
    await publishTransactions(stream.js, config, after);
    await settle(after.map((x) => x.transaction_id));
    assert.equal(await degradedOf(after.map((x) => x.transaction_id)), 0, 'normal again, by itself');
    assert.equal(worker.stats.deadLettered, 0);
  } finally {
    await worker.stop();
    await n.shared.close();
    await n.store.close();
    redis.kill('SIGKILL');
    await removeStreams(stream, config);
  }
});
