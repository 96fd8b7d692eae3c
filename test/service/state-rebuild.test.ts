import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { FEATURES } from '../../src/engine/features/catalog.ts';
import { validateTransaction, type Transaction } from '../../src/engine/transaction.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { REBUILD_HORIZON_MS } from '../../src/service/state-rebuild.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-rebuild-'));
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1);

async function openStore(file: string): Promise<SqliteStore> {
  const store = new SqliteStore(join(dir, file));
  stores.push(store);
  await store.migrate();
  return store;
}

/** A service whose clock the test moves; transactions happen when they are decided, as they do live. */
function liveService(store: SqliteStore, clock: { now: number }): DecisionService {
  return new DecisionService(new Engine({ labelDelayMs: 0 }), store, () => clock.now);
}

function tx(i: number, at: number, extra: Partial<Transaction> = {}): Record<string, unknown> {
  return {
    transaction_id: `t${i}`,
    timestamp: new Date(at).toISOString(),
    account_id: i % 3 === 0 ? 'acct-other' : 'acct-1',
    amount: 20 + ((i * 37) % 400),
    currency: 'EUR',
    merchant_id: `shop-${i % 4}`,
    device_id: `dev-${i % 5}`,
    country: i % 7 === 0 ? 'PT' : 'ES',
    city: i % 2 === 0 ? 'Madrid' : 'Sevilla',
    latitude: 40 + (i % 3),
    longitude: -3 - (i % 2),
    ...extra,
  };
}

/** What the engine computes for `probe` without recording it. */
function featuresFor(engine: Engine, probe: Record<string, unknown>): Record<string, number> {
  const checked = validateTransaction(probe);
  assert.ok(checked.ok);
  engine.score(checked.value, { record: false });
  return Object.fromEntries(FEATURES.map((f, i) => [f.name, engine.features[i]!]));
}

/** Stores a history: 36 transactions over 20 days (24 of acct-1), with verdicts between them. */
async function storeHistory(service: DecisionService, clock: { now: number }): Promise<void> {
  for (let i = 1; i <= 36; i++) {
    clock.now = START + i * 13 * HOUR;
    assert.equal((await service.decide(tx(i, clock.now))).kind, 'created');
    if (i % 5 === 0) {
      clock.now += HOUR;
      assert.ok(await service.review(`t${i}`, i % 10 === 0 ? 'confirmed_fraud' : 'legitimate', 'a', null));
    }
  }
}

test("after a restart, an account's and its merchants' features equal what a never-restarted engine computes", async () => {
  const clock = { now: START };
  const store = await openStore('restart.db');
  const live = liveService(store, clock);
  await storeHistory(live, clock);
  assert.equal(live.engine.featureStore.accounts.total('acct-1'), 24);

  // A restart: a new process, a new engine, the same database file.
  clock.now += HOUR;
  const restarted = liveService(await openStore('restart.db'), clock);
  const probe = tx(99, clock.now, { merchant_id: 'shop-2' });
  assert.notDeepEqual(featuresFor(restarted.engine, probe), featuresFor(live.engine, probe));

  const rebuild = restarted.startRebuild({ pageSize: 7 });
  await rebuild.finishedPromise;
  assert.equal(rebuild.progress.state, 'done');
  assert.equal(rebuild.progress.transactions, 36);
  assert.equal(rebuild.progress.verdicts, 7);
  assert.equal(restarted.engine.featureStore.accounts.total('acct-1'), 24);
  assert.deepEqual(featuresFor(restarted.engine, probe), featuresFor(live.engine, probe));
  const labelled = featuresFor(restarted.engine, probe).merchant_labels_known!;
  assert.equal(labelled, 2, 'both verdicts on shop-2 fed its label features');

  // The restarted service decides on the whole history again: no longer degraded.
  clock.now += HOUR;
  const next = tx(100, clock.now);
  const expected = featuresFor(live.engine, next);
  const decided = await restarted.decide(next);
  assert.ok(decided.kind === 'created');
  assert.equal(decided.decision.degraded, false);
  const row = await restarted.store.recentDecisions(1);
  assert.deepEqual(Object.fromEntries(FEATURES.map((f, i) => [f.name, row[0]!.features![i]!])), expected);
});

test('imported labels reach the engine at the time they became known: recorded live, replayed by the rebuild, followed from other processes', async () => {
  const clock = { now: START };
  const store = await openStore('labels.db');
  const live = liveService(store, clock);
  await storeHistory(live, clock);
  clock.now += 2 * HOUR;
  const knownAt = clock.now - HOUR; // a chargeback dated an hour ago, imported now
  const results = await live.recordLabels(
    [
      { transaction_id: 't2', fraud: true, source: 'chargebacks', known_at: knownAt },
      { transaction_id: 't3', fraud: false, source: 'chargebacks', known_at: knownAt },
      { transaction_id: 'nope', fraud: true, source: 'chargebacks', known_at: knownAt },
    ],
    'ops',
  );
  assert.deepEqual(
    results.map((r) => r.result),
    ['recorded', 'recorded', 'unknown_transaction'],
  );
  const known = (engine: Engine, at: number) =>
    featuresFor(engine, tx(99, at, { merchant_id: 'shop-2' })).merchant_labels_known!;
  // Not before its known time (a transaction of just before it does not see it), from then on it does.
  assert.equal(known(live.engine, knownAt - 1), 2, "shop-2's two verdicts only");
  assert.equal(known(live.engine, clock.now), 3, 'and the chargeback');
  assert.equal(await live.labelFeed.catchUp(), 0, 'each label is fed once');

  // A restart replays the verdicts and the imported labels.
  clock.now += HOUR;
  const restarted = liveService(await openStore('labels.db'), clock);
  const rebuild = restarted.startRebuild({ pageSize: 7 });
  await rebuild.finishedPromise;
  assert.equal(rebuild.progress.state, 'done');
  assert.equal(rebuild.progress.labels, 2);
  const probe = tx(98, clock.now, { merchant_id: 'shop-3' });
  assert.deepEqual(featuresFor(restarted.engine, probe), featuresFor(live.engine, probe));
  assert.equal(known(restarted.engine, clock.now), 3);

  // `labels import` (another connection to the same file) records one: the follow loop feeds it.
  const importer = await openStore('labels.db');
  await importer.recordLabels(
    [{ transaction_id: 't6', fraud: true, source: 'fraud-reports', known_at: clock.now - 1 }],
    'cli:ops',
    clock.now,
  );
  restarted.labelFeed.follow(10);
  const deadline = Date.now() + 5000;
  while (restarted.labelFeed.position < 3 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  restarted.labelFeed.stop();
  assert.equal(restarted.labelFeed.fed, 3);
  assert.equal(known(restarted.engine, clock.now), 4, 'shop-2 sees the imported fraud report');
});

test('decisions made while the state is rebuilt are marked degraded, and /health components say how far it got', async () => {
  const clock = { now: START };
  const store = await openStore('degraded.db');
  await storeHistory(liveService(store, clock), clock);
  clock.now += HOUR;
  const reopened = await openStore('degraded.db');
  // The rebuild's reads wait until the test has looked at it mid-way.
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const read = reopened.decidedBetween.bind(reopened);
  reopened.decidedBetween = async (...args) => {
    if (args[2] !== null) await gate;
    return read(...args);
  };
  const restarted = liveService(reopened, clock);
  const rebuild = restarted.startRebuild({ pageSize: 5 });

  const during = await restarted.decide(tx(200, clock.now));
  assert.ok(during.kind === 'created');
  assert.equal(during.decision.degraded, true);
  const health = await restarted.componentHealth();
  assert.equal(health.feature_store.status, 'degraded');
  assert.equal(health.model.status, 'degraded');
  assert.equal(health.feature_store.rebuild?.state, 'rebuilding');
  assert.equal(health.feature_store.rebuild!.transactions, 5);
  assert.ok(health.feature_store.rebuild!.fraction > 0 && health.feature_store.rebuild!.fraction < 1);

  open();
  await rebuild.finishedPromise;
  // The decision made meanwhile is in the engine once, not twice: the rebuild reads only what came before it.
  assert.equal(restarted.engine.featureStore.accounts.total('acct-1'), 25);
  clock.now += HOUR;
  const afterwards = await restarted.decide(tx(201, clock.now));
  assert.ok(afterwards.kind === 'created');
  assert.equal(afterwards.decision.degraded, false);
  const done = await restarted.componentHealth();
  assert.equal(done.feature_store.status, 'healthy');
  assert.equal(done.feature_store.rebuild?.state, 'done');
  assert.equal(done.feature_store.rebuild?.fraction, 1);
});

test('only the decisions of the longest window are recorded again', async () => {
  const clock = { now: START };
  const store = await openStore('horizon.db');
  const live = liveService(store, clock);
  assert.equal((await live.decide(tx(1, clock.now))).kind, 'created');
  clock.now = START + REBUILD_HORIZON_MS + HOUR;
  assert.equal((await live.decide(tx(2, clock.now))).kind, 'created');
  clock.now += HOUR;
  const restarted = liveService(await openStore('horizon.db'), clock);
  await restarted.startRebuild().finishedPromise;
  assert.equal(restarted.rebuild!.progress.transactions, 1);
  assert.equal(restarted.engine.featureStore.accounts.total('acct-1'), 1);
});

test('a rebuild that fails keeps decisions degraded and says why', async () => {
  const clock = { now: START };
  const store = await openStore('failing.db');
  const service = liveService(store, clock);
  store.decidedBetween = () => Promise.reject(new Error('disk I/O error'));
  await service.startRebuild().finishedPromise;
  const health = await service.componentHealth();
  assert.equal(health.feature_store.status, 'degraded');
  assert.equal(health.feature_store.rebuild?.state, 'failed');
  assert.equal(health.feature_store.rebuild?.error, 'disk I/O error');
  const r = await service.decide(tx(1, clock.now));
  assert.ok(r.kind === 'created' && r.decision.degraded);
});
