/** POST /api/v1/labels: late labels in bulk, per-item results, idempotent, audited, fed to the engine. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-labels-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const)
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
const as = (role: string): Record<string, string> => ({ 'x-api-key': keys[role]! });
after(async () => {
  await app.close();
  await store.close();
});

const HOUR = 3_600_000;
const T = Date.now() - 48 * HOUR;
for (let i = 1; i <= 6; i++) {
  const r = await service.decide({
    transaction_id: `l-${i}`,
    timestamp: T + i * 60_000,
    account_id: 'acct-l',
    amount: 900,
    currency: 'EUR',
    merchant_id: 'shop-l',
  });
  assert.ok(r.kind === 'created');
}

type Item = {
  index: number;
  result: string;
  transaction_id?: string;
  contradicts_verdict?: string;
  stored?: { label: string; source: string; known_at: number };
  message?: string;
  errors?: { path: string; message: string }[];
};
type Reply = { results: Item[]; totals: Record<string, number> };

const post = (payload: unknown, role = 'admin') =>
  app.inject({ method: 'POST', url: '/api/v1/labels', headers: as(role), payload: payload as object });

test('roles: service and admin record labels; analyst and auditor may not; a key is required', async () => {
  const body = { labels: [{ transaction_id: 'nope', label: 'fraud' }] };
  for (const role of ['service', 'admin']) assert.equal((await post(body, role)).statusCode, 200, role);
  for (const role of ['analyst', 'auditor']) assert.equal((await post(body, role)).statusCode, 403, role);
  const anonymous = await app.inject({ method: 'POST', url: '/api/v1/labels', payload: body });
  assert.equal(anonymous.statusCode, 401);
});

test('a batch: valid items recorded, each problem reported at its path, results in input order, totals', async () => {
  assert.ok(await service.review('l-3', 'legitimate', 'ana', null));
  const fedBefore = service.labelFeed.fed;
  const auditBefore = (await store.listAudit({ action: 'label_recorded', limit: 1000 })).length;
  const known = T + 10 * HOUR;
  const r = await post({
    labels: [
      { transaction_id: 'l-1', label: 'fraud', known_at: known, source: 'chargebacks' },
      { transaction_id: 'l-2', label: 'maybe' },
      { transaction_id: 'l-3', label: 'fraud', known_at: known }, // analysts said legitimate
      { transaction_id: 'l-4', label: 'legit', known_at: Math.floor(known / 1000) }, // seconds
      { transaction_id: 'l-4', label: 'legit', known_at: Date.now() + 24 * HOUR },
      { transaction_id: 'ghost', label: 'fraud' },
      { transaction_id: 'l-5', label: 'legit', reason: 'chargeback' },
      'l-6',
      { transaction_id: 'l-1', label: 'legit' }, // the same transaction, another label
      { transaction_id: 'l-6', label: 'legit' }, // defaults: now, source api
    ],
  });
  assert.equal(r.statusCode, 200, r.body);
  const reply = r.json<Reply>();
  assert.deepEqual(
    reply.results.map((i) => [i.index, i.result]),
    [
      [0, 'recorded'],
      [1, 'invalid'],
      [2, 'recorded'],
      [3, 'invalid'],
      [4, 'invalid'],
      [5, 'unknown_transaction'],
      [6, 'invalid'],
      [7, 'invalid'],
      [8, 'conflict'],
      [9, 'recorded'],
    ],
  );
  assert.deepEqual(reply.totals, {
    recorded: 3,
    unchanged: 0,
    unknown_transaction: 1,
    conflict: 1,
    invalid: 5,
  });
  const errorOf = (i: number) => reply.results[i]!.errors!;
  assert.deepEqual(errorOf(1), [
    { path: 'labels[1].label', message: 'must be one of "fraud", "legit", got "maybe"' },
  ]);
  assert.equal(errorOf(3)[0]!.path, 'labels[3].known_at');
  assert.match(errorOf(3)[0]!.message, /reads as epoch seconds/);
  assert.equal(errorOf(4)[0]!.path, 'labels[4].known_at');
  assert.match(errorOf(4)[0]!.message, /in the future/);
  assert.equal(errorOf(5)[0]!.path, 'labels[5].transaction_id');
  assert.match(reply.results[5]!.message!, /^labels\[5\]\.transaction_id: no transaction ghost is stored/);
  assert.equal(errorOf(6)[0]!.path, 'labels[6].reason');
  assert.match(errorOf(6)[0]!.message, /unknown field/);
  assert.equal(errorOf(7)[0]!.path, 'labels[7]');
  assert.equal(reply.results[2]!.contradicts_verdict, 'legitimate');
  assert.equal(reply.results[0]!.contradicts_verdict, undefined);
  assert.deepEqual(reply.results[8]!.stored, { label: 'fraud', source: 'chargebacks', known_at: known });
  assert.match(errorOf(8)[0]!.message, /fraud was recorded before \(source chargebacks/);

  // Stored and audited once each, by the key's name; fed to the engine.
  const audit = (await store.listAudit({ action: 'label_recorded', order: 'asc', limit: 1000 })).slice(
    auditBefore,
  );
  assert.deepEqual(
    audit.map((e) => [e.transaction_id, e.new_value, e.actor]),
    [
      ['l-1', 'fraud', 'admin-key'],
      ['l-3', 'fraud', 'admin-key'],
      ['l-6', 'legit', 'admin-key'],
    ],
  );
  assert.equal(service.labelFeed.fed, fedBefore + 3);
  const l6 = await store.getLabel('l-6');
  assert.equal(l6!.source, 'api');
  assert.ok(Math.abs(l6!.known_at - Date.now()) < 60_000, 'known_at defaults to now');

  // The same request again: nothing new is written, audited or fed.
  const again = (
    await post(
      {
        labels: [
          { transaction_id: 'l-1', label: 'fraud', known_at: known },
          { transaction_id: 'l-6', label: 'legit' },
        ],
      },
      'service',
    )
  ).json<Reply>();
  assert.deepEqual(
    again.results.map((i) => i.result),
    ['unchanged', 'unchanged'],
  );
  assert.equal((await store.listAudit({ action: 'label_recorded', limit: 1000 })).length, auditBefore + 3);
  assert.equal(service.labelFeed.fed, fedBefore + 3);
});

test('the envelope is checked as a whole: a 400 naming labels, nothing recorded', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /^labels: is required/],
    [{ labels: [] }, /^labels: must hold 1 to 10000 labels, got 0/],
    [{ labels: 'x' }, /^labels: must be an array/],
    [{ labels: [{ transaction_id: 'l-2', label: 'fraud' }], lables: [] }, /^lables: unknown field/],
    [
      { labels: Array.from({ length: 10_001 }, () => ({ transaction_id: 'l-2', label: 'fraud' })) },
      /got 10001/,
    ],
  ];
  for (const [body, message] of cases) {
    const r = await post(body);
    assert.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 80));
    assert.match(r.json().message, message);
  }
  assert.equal(await store.getLabel('l-2'), null);
});

test('10,000 labels in one request are all recorded', async () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `bulk-${i}`);
  for (let i = 0; i < ids.length; i += 1000) {
    const results = await service.decideMany(
      ids.slice(i, i + 1000).map((id, k) => ({
        transaction_id: id,
        timestamp: T + (i + k) * 1000,
        account_id: `acct-${k % 50}`,
        amount: 10,
        currency: 'EUR',
        merchant_id: `m-${k % 7}`,
      })),
    );
    assert.ok(results.every((r) => r.kind === 'created'));
  }
  const r = await post({
    labels: ids.map((id, i) => ({
      transaction_id: id,
      label: i % 10 === 0 ? 'fraud' : 'legit',
      known_at: T + HOUR,
      source: 'bulk-chargebacks-file-2026-11',
    })),
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json<Reply>().totals.recorded, 10_000);
});

test('GET /api/v1/transactions/{id} shows the label known: imported, a verdict, or null', async () => {
  const get = async (id: string) =>
    (await app.inject({ url: `/api/v1/transactions/${id}`, headers: as('service') })).json().label;
  assert.deepEqual(await get('l-1'), { fraud: true, source: 'chargebacks', known_at: T + 10 * HOUR });
  assert.equal(await get('l-4'), null);
  assert.ok(await service.review('l-5', 'confirmed_fraud', 'ana', null));
  const verdict = await get('l-5');
  assert.equal(verdict.fraud, true);
  assert.equal(verdict.source, 'verdict');
  // l-3: the analysts' verdict (legitimate, 48 h after the transactions) and a chargeback known before it.
  const l3 = await get('l-3');
  assert.equal(l3.source, 'verdict');
  assert.equal(l3.fraud, false);
});
