import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-service-'));
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

async function service(): Promise<DecisionService> {
  const store = new SqliteStore(join(dir, `s${stores.length}.db`));
  stores.push(store);
  await store.migrate();
  // Live verdicts are real-time: no extra label delay.
  return new DecisionService(new Engine({ labelDelayMs: 0 }), store, () => Date.UTC(2026, 2, 2));
}

const tx = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_id: id,
  timestamp: '2026-03-01T10:00:00Z',
  account_id: 'acct-1',
  amount: 120,
  currency: 'EUR',
  merchant_id: 'shop-1',
  ...extra,
});

test('a decision is answered only once it is committed', async () => {
  const s = await service();
  const r = await s.decide(tx('t1'));
  assert.equal(r.kind, 'created');
  const stored = await s.store.getTransaction('t1');
  assert.ok(stored, 'stored before the answer');
  assert.deepEqual(stored.decision, r.kind === 'created' ? r.decision : null);
});

test('a resubmission gets the first decision and is not scored again; another payload is a conflict', async () => {
  const s = await service();
  const first = await s.decide(tx('t1'));
  const again = await s.decide(tx('t1'));
  assert.equal(again.kind, 'duplicate');
  assert.deepEqual(again.kind === 'duplicate' && again.decision, first.kind === 'created' && first.decision);
  assert.equal(s.engine.featureStore.accounts.total('acct-1'), 1, 'the engine saw the transaction once');
  const other = await s.decide(tx('t1', { amount: 999 }));
  assert.equal(other.kind, 'conflict');
  assert.equal(s.engine.featureStore.accounts.total('acct-1'), 1);
});

test('an id another process stored after this one read its stored ids is answered with the stored decision', async () => {
  const s = await service();
  const store = s.store as SqliteStore;
  for (let i = 0; i < 200 && !store.storedIdsReady; i++) await new Promise((r) => setTimeout(r, 10));
  const otherStore = new SqliteStore(join(dir, `s${stores.length - 1}.db`)); // the same file
  await otherStore.migrate();
  const other = new DecisionService(new Engine({ labelDelayMs: 0 }), otherStore, () => Date.UTC(2026, 2, 2));
  const first = await other.decide(tx('elsewhere', { account_id: 'acct-x' }));
  await otherStore.close();
  const again = await s.decide(tx('elsewhere', { account_id: 'acct-x' }));
  assert.equal(again.kind, 'duplicate');
  assert.deepEqual(again.kind === 'duplicate' && again.decision, first.kind === 'created' && first.decision);
  assert.equal(
    s.engine.featureStore.accounts.total('acct-x'),
    0,
    'scored, then taken back: it counts nowhere',
  );
});

test('invalid input is refused with field paths and nothing is stored', async () => {
  const s = await service();
  const r = await s.decide(tx('bad', { amount: -3, timestamp: 'soon' }));
  assert.equal(r.kind, 'invalid');
  assert.deepEqual(r.kind === 'invalid' && r.errors.map((e) => e.path), ['timestamp', 'amount']);
  assert.equal(await s.store.getTransaction('bad'), null);
});

test('concurrent requests share group commits; concurrent copies of one id are scored once', async () => {
  const s = await service();
  const many = await Promise.all(
    Array.from({ length: 500 }, (_, i) => s.decide(tx(`c${i}`, { account_id: `acct-${i % 50}` }))),
  );
  assert.ok(many.every((r) => r.kind === 'created'));
  assert.ok(s.batchesWritten < 50, `${s.batchesWritten} database transactions for 500 decisions`);
  assert.equal((await s.store.countAnomalies({})) >= 0, true);
  const copies = await Promise.all(
    Array.from({ length: 50 }, () => s.decide(tx('same', { account_id: 'solo' }))),
  );
  const kinds = copies.map((r) => r.kind).sort();
  assert.equal(kinds.filter((k) => k === 'created').length, 1);
  assert.equal(kinds.filter((k) => k === 'duplicate').length, 49);
  assert.equal(s.engine.featureStore.accounts.total('solo'), 1);
});

test('a verdict is audited and becomes a label the engine uses', async () => {
  const s = await service();
  await s.decide(tx('v1', { merchant_id: 'bad-shop' }));
  const change = await s.review('v1', 'confirmed_fraud', 'alice', 'chargeback');
  assert.equal(change?.new_status, 'confirmed_fraud');
  assert.equal((await s.store.listAudit({ transaction_id: 'v1' }))[0]?.actor, 'alice');
  assert.equal(await s.review('missing', 'legitimate', 'alice', null), null);
  await s.decide(
    tx('v2', { merchant_id: 'bad-shop', account_id: 'other', timestamp: '2026-03-02T10:00:00Z' }),
  );
  assert.equal(
    s.engine.features[indexOfFeature('merchant_labels_known')],
    1,
    'the label reached merchant risk',
  );
  // a second card's fraud at the same shop: two different accounts behind its fraud labels, not one
  await s.review('v2', 'confirmed_fraud', 'alice', null);
  await s.decide(
    tx('v3', { merchant_id: 'bad-shop', account_id: 'third', timestamp: '2026-03-02T11:00:00Z' }),
  );
  assert.equal(s.engine.features[indexOfFeature('merchant_fraud_labels_7d')], 2);
  assert.equal(
    s.engine.features[indexOfFeature('merchant_fraud_accounts_7d')],
    2,
    'the verdicts carried their accounts to the engine',
  );
});

test('decideMany: one lookup for the batch, same guarantees as decide, results in input order', async () => {
  const s = await service();
  await s.decide(tx('old'));
  const results = await s.decideMany([
    tx('n1', { account_id: 'm1' }),
    tx('old'),
    tx('old', { amount: 1 }),
    { amount: -1 },
    tx('n1', { account_id: 'm1' }),
    tx('n1', { account_id: 'm1', amount: 5 }),
    tx('n2', { account_id: 'm1' }),
  ]);
  assert.deepEqual(
    results.map((r) => r.kind),
    ['created', 'duplicate', 'conflict', 'invalid', 'duplicate', 'conflict', 'created'],
  );
  assert.equal(s.engine.featureStore.accounts.total('m1'), 2, 'n1 scored once, n2 once');
  assert.ok(await s.store.getTransaction('n2'));
  const single = await s.decide(tx('n2', { account_id: 'm1' }));
  assert.equal(single.kind, 'duplicate');
});

/** A store whose next `failures` batch writes fail, as a database outage would. */
function failingWrites(store: SqliteStore, failures: number): SqliteStore {
  const save = store.saveDecisions.bind(store);
  store.saveDecisions = async (records) => {
    if (failures-- > 0) throw new Error('database unavailable');
    return save(records);
  };
  return store;
}

test('a batch whose write fails leaves the accounts as they were, so its retry is counted once', async () => {
  const batch = [
    tx('r1', { account_id: 'acct-r', amount: 50 }),
    tx('r2', { account_id: 'acct-r', amount: 70, timestamp: '2026-03-01T10:05:00Z' }),
    tx('r3', { account_id: 'acct-new', amount: 20 }),
  ];
  const warmup = tx('r0', { account_id: 'acct-r', amount: 30, timestamp: '2026-03-01T09:00:00Z' });
  const clean = await service();
  await clean.decide(warmup);
  const expected = await clean.decideMany(batch);

  const flaky = await service();
  await flaky.decide(warmup);
  failingWrites(flaky.store as SqliteStore, 1);
  await assert.rejects(flaky.decideMany(batch), /database unavailable/);
  assert.equal(flaky.engine.featureStore.accounts.total('acct-r'), 1, 'only the stored transaction counts');
  assert.equal(flaky.engine.featureStore.accounts.total('acct-new'), 0);
  const retried = await flaky.decideMany(batch);
  assert.deepEqual(
    retried.map((r) => r.kind),
    ['created', 'created', 'created'],
  );
  assert.equal(flaky.engine.featureStore.accounts.total('acct-r'), 3);
  for (const id of ['r1', 'r2', 'r3']) {
    const [a, b] = await Promise.all([clean.store.getTransaction(id), flaky.store.getTransaction(id)]);
    assert.deepEqual(b?.decision, a?.decision, `${id}: the same decision as without the outage`);
  }
  const [a, b] = await Promise.all([clean.store.recentDecisions(3), flaky.store.recentDecisions(3)]);
  assert.deepEqual(
    b.map((r) => Array.from(r.features ?? [])),
    a.map((r) => Array.from(r.features ?? [])),
    'the same features as without the outage',
  );
  assert.deepEqual(
    expected.map((r) => r.kind),
    ['created', 'created', 'created'],
  );
});

test('a single request whose write fails is not counted; its retry scores as the first try would have', async () => {
  const clean = await service();
  const expected = await clean.decide(tx('s1', { account_id: 'acct-s' }));
  const flaky = await service();
  failingWrites(flaky.store as SqliteStore, 1);
  await assert.rejects(flaky.decide(tx('s1', { account_id: 'acct-s' })), /database unavailable/);
  assert.equal(flaky.engine.featureStore.accounts.total('acct-s'), 0);
  const retried = await flaky.decide(tx('s1', { account_id: 'acct-s' }));
  assert.equal(retried.kind, 'created');
  assert.deepEqual(
    retried.kind === 'created' && retried.decision,
    expected.kind === 'created' && expected.decision,
  );
  assert.equal(flaky.engine.featureStore.accounts.total('acct-s'), 1);
});
