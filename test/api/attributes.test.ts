/** Transactions with caller attributes and currency settings, through the HTTP API on the embedded store. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import type { CurrencySettings } from '../../src/engine/currency-settings.ts';
import { Engine } from '../../src/engine/engine.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { loadFxRates } from '../../src/engine/fx-rates.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-api-attrs-'));

async function server(name: string, currency?: CurrencySettings) {
  const store = new SqliteStore(join(dir, `${name}.db`));
  await store.migrate();
  const service = new DecisionService(new Engine({ labelDelayMs: 0, currency }), store);
  const app = buildApp({ service });
  const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'admin')).key };
  after(async () => {
    await app.close();
    await store.close();
  });
  const post = (payload: unknown, url = '/api/v1/transactions') =>
    app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
  const get = (id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/transactions/${id}`, headers: admin });
  return { app, admin, post, get, service };
}

const tx = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_id: id,
  timestamp: '2026-03-01T10:00:00Z',
  account_id: 'acct-attrs',
  amount: 150,
  currency: 'EUR',
  ...extra,
});

const plain = await server('plain');

test('attributes are stored with the transaction and returned by GET; other attributes are a different payload', async () => {
  const attributes = { card_bin: '411111', mcc: 5411, email_domain: 'example.com', three_ds: 'Y' };
  const unknown = await plain.post(tx('a-1', { attributes, unknown_field: 'x' }));
  assert.equal(unknown.statusCode, 400, 'a field outside attributes is refused by name');
  assert.equal(unknown.json().details[0].path, 'unknown_field');
  const created = await plain.post(tx('a-1', { attributes }));
  assert.equal(created.statusCode, 201, created.body);
  const stored = await plain.get('a-1');
  assert.equal(stored.statusCode, 200);
  assert.deepEqual(stored.json().transaction.attributes, {
    card_bin: '411111',
    email_domain: 'example.com',
    mcc: 5411,
    three_ds: 'Y',
  });
  assert.equal(stored.json().transaction.unknown_field, undefined, 'only attributes are kept');
  const reordered = { three_ds: 'Y', mcc: 5411, email_domain: 'example.com', card_bin: '411111' };
  assert.equal((await plain.post(tx('a-1', { attributes: reordered }))).statusCode, 200, 'the same payload');
  const other = await plain.post(tx('a-1', { attributes: { ...attributes, mcc: 7995 } }));
  assert.equal(other.statusCode, 409);
});

test('bad attributes get a 400 naming attributes.<key>; in a batch, the item too; nothing is stored', async () => {
  const r = await plain.post(tx('a-bad', { attributes: { 'Card BIN': '4111', mcc: { code: 1 }, ok: 'x' } }));
  assert.equal(r.statusCode, 400, r.body);
  assert.deepEqual(r.json().details, [
    {
      path: 'attributes.Card BIN',
      message:
        'is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
    },
    { path: 'attributes.mcc', message: 'must be a string or a number, got object' },
  ]);
  assert.equal((await plain.get('a-bad')).statusCode, 404);
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
  const batch = await plain.post(
    { transactions: [tx('a-b1', { attributes: { mcc: '5411' } }), tx('a-b2', { attributes: many })] },
    '/api/v1/transactions/batch',
  );
  assert.equal(batch.statusCode, 200);
  const [first, second] = batch.json().results;
  assert.equal(first.status, 201);
  assert.equal(second.status, 400);
  assert.deepEqual(second.errors, [
    { path: 'transactions[1].attributes', message: 'has 40 keys; at most 32' },
  ]);
});

test('a published rule on an attribute decides, and a dry run tries one on stored decisions', async () => {
  const { app, admin, post } = plain;
  const current = (await app.inject({ method: 'GET', url: '/api/v1/rules', headers: admin })).json();
  const doc = structuredClone(current.document);
  doc.version = 'attrs-1';
  doc.rules.push({
    id: 'gambling_without_3ds',
    version: 1,
    when: {
      all: [
        { field: 'attributes.mcc', op: 'in', value: [7995] },
        { field: 'attributes.three_ds', op: '!=', value: 'Y' },
      ],
    },
    outcome: 'decline',
    reason: 'gambling without 3-D Secure',
  });
  const published = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: doc });
  assert.equal(published.statusCode, 200, published.body);
  const declined = await post(tx('r-1', { account_id: 'r', attributes: { mcc: '7995', three_ds: 'N' } }));
  assert.equal(declined.json().decision.outcome, 'decline');
  assert.ok(
    declined.json().decision.reasons.some((r: { rule?: string }) => r.rule === 'gambling_without_3ds@1'),
  );
  const with3ds = await post(tx('r-2', { account_id: 'r', attributes: { mcc: 7995, three_ds: 'Y' } }));
  assert.ok(
    !with3ds.json().decision.reasons.some((r: { rule?: string }) => r.rule === 'gambling_without_3ds@1'),
  );

  const invalid = structuredClone(doc);
  invalid.version = 'attrs-bad';
  invalid.rules.at(-1).when.all[0].field = 'attributes.MCC';
  const refused = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: invalid });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.json().details[0].path, /^rules\[\d+\]\.when\.all\[0\]\.field$/);

  const dry = await app.inject({
    method: 'POST',
    url: '/api/v1/rules/dry-run',
    headers: admin,
    payload: {
      last: 2,
      document: {
        version: 'dry-attrs',
        rules: [
          {
            id: 'bin_check',
            version: 1,
            when: { field: 'attributes.three_ds', op: '==', value: 'y' },
            score: 0.5,
            reason: 'x',
          },
        ],
      },
    },
  });
  assert.equal(dry.statusCode, 200, dry.body);
  assert.equal(dry.json().evaluated, 2);
  assert.deepEqual(dry.json().rules, [{ rule: 'bin_check@1', fired: 1, confirmed_fraud: 0, legitimate: 0 }]);
});

test('DEFAULT_CURRENCY none: a transaction without currency is a 400 naming currency', async () => {
  const strict = await server('strict', { defaultCurrency: null, fx: null });
  const r = await strict.post(tx('c-1', { currency: undefined }));
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, [
    { path: 'currency', message: 'is required (this server sets no DEFAULT_CURRENCY)' },
  ]);
  assert.equal((await strict.post(tx('c-2'))).statusCode, 201);
  // The default setting is explicit: USD, stored as such.
  assert.equal((await plain.post(tx('c-3', { currency: undefined }))).statusCode, 201);
  assert.equal((await plain.get('c-3')).json().transaction.currency, 'USD');
});

test('with an FX table: an unknown currency is a 400, a known one is stored as sent and scored in the base', async () => {
  const rates = join(dir, 'rates.json');
  writeFileSync(rates, JSON.stringify({ base: 'EUR', rates: { SEK: 0.1 } }));
  const fx = loadFxRates(rates);
  const converting = await server('fx', { defaultCurrency: 'EUR', fx });
  const unknown = await converting.post(tx('f-1', { currency: 'GBP' }));
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(unknown.json().details, [
    {
      path: 'currency',
      message: "GBP has no rate in this server's conversion table (FRAUDWATCH_FX_RATES, base EUR)",
    },
  ]);
  // A batch (and a stream worker, which decides through the same call) follows the same settings.
  const batch = await converting.post(
    { transactions: [tx('f-b1', { currency: 'GBP' }), tx('f-b2', { currency: undefined })] },
    '/api/v1/transactions/batch',
  );
  assert.deepEqual(
    batch.json().results.map((r: { status: number; errors?: unknown }) => [r.status, r.errors]),
    [
      [
        400,
        [
          {
            path: 'transactions[0].currency',
            message: "GBP has no rate in this server's conversion table (FRAUDWATCH_FX_RATES, base EUR)",
          },
        ],
      ],
      [201, undefined],
    ],
  );
  assert.equal(
    (await converting.get('f-b2')).json().transaction.currency,
    'EUR',
    'the default of this server',
  );
  const sek = await converting.post(tx('f-2', { currency: 'sek', amount: 1500 }));
  assert.equal(sek.statusCode, 201, sek.body);
  const stored = (await converting.get('f-2')).json().transaction;
  assert.equal(stored.amount, 1500);
  assert.equal(stored.currency, 'SEK');
  // The last vector this server's engine computed is this transaction's: 1500 SEK is 150 EUR.
  assert.equal(converting.service.engine.features[indexOfFeature('amount')], 150);
});
