/**
 * Transactions say what they accept: an unknown field is refused with the nearest known name (alone or with the
 * engine's own errors, in one answer), a timestamp in epoch seconds is told to be milliseconds, and batch items
 * carry the same information as a whole answer would (a 409 item has its message; paths have no trailing dot).
 */
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

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-contract-tx-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, null);
const app = buildApp({ service });
const headers = { 'x-api-key': (await createApiKey(store, 'service', 'checkout')).key };
after(async () => {
  await app.close();
  await store.close();
});

const tx = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_id: id,
  timestamp: '2026-03-01T10:00:00Z',
  account_id: 'acct-1',
  amount: 150,
  currency: 'EUR',
  ...extra,
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, headers, payload: payload as object });

test('an unknown transaction field is a 400 with the nearest known name, and nothing is stored', async () => {
  const r = await post('/api/v1/transactions', tx('u1', { merchantid: 'shop-1' }));
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json(), {
    error: 'bad_request',
    message: 'merchantid: unknown field (did you mean "merchant_id"?)',
    details: [{ path: 'merchantid', message: 'unknown field (did you mean "merchant_id"?)' }],
  });
  assert.equal(await store.getTransaction('u1'), null);
});

test("unknown fields and the engine's errors come in one answer", async () => {
  const r = await post('/api/v1/transactions', { transaction_id: 'u2', amout: 5, account_id: 'a' });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(
    r.json().details.map((d: { path: string }) => d.path),
    ['amout', 'timestamp', 'amount'],
  );
  assert.match(r.json().details[0].message, /did you mean "amount"/);
});

test('a timestamp in epoch seconds is refused saying epoch milliseconds are expected', async () => {
  for (const timestamp of [1772359200, '1772359200']) {
    const r = await post('/api/v1/transactions', tx('s1', { timestamp }));
    assert.equal(r.statusCode, 400, String(timestamp));
    const details = r.json().details;
    assert.equal(details.length, 1, r.body);
    assert.equal(details[0].path, 'timestamp');
    assert.equal(
      details[0].message,
      'epoch milliseconds expected, got 1772359200, which reads as epoch seconds ' +
        '(as seconds it is 2026-03-01T10:00:00.000Z: send 1772359200000)',
    );
  }
  const ms = await post('/api/v1/transactions', tx('s1', { timestamp: 1772359200000 }));
  assert.equal(ms.statusCode, 201, ms.body);
});

test('batch: items named without a trailing dot, a 409 item with its message, unknown fields per item', async () => {
  assert.equal((await post('/api/v1/transactions', tx('taken'))).statusCode, 201);
  const r = await post('/api/v1/transactions/batch', {
    transactions: [
      tx('b-ok'),
      'not a transaction',
      tx('b-bad', { amount: -1 }),
      tx('taken', { amount: 999 }),
      tx('b-typo', { devise_id: 'd1' }),
      tx('b-seconds', { timestamp: 1772359200 }),
      tx('b-ok-2'),
    ],
  });
  assert.equal(r.statusCode, 200, r.body);
  const results = r.json().results;
  assert.deepEqual(
    results.map((x: { status: number }) => x.status),
    [201, 400, 400, 409, 400, 400, 201],
  );
  assert.deepEqual(
    results[1].errors.map((e: { path: string }) => e.path),
    ['transactions[1]'],
  );
  assert.equal(results[2].errors[0].path, 'transactions[2].amount');
  assert.equal(results[2].error, 'bad_request');
  assert.match(results[2].message, /^transactions\[2\]\.amount: /);
  assert.deepEqual(
    {
      error: results[3].error,
      message: results[3].message,
      transaction_id: results[3].transaction_id,
      errors: results[3].errors,
    },
    {
      error: 'conflict',
      message: 'transactions[3].transaction_id: already used by a different transaction',
      transaction_id: 'taken',
      errors: [
        { path: 'transactions[3].transaction_id', message: 'already used by a different transaction' },
      ],
    },
  );
  assert.deepEqual(results[4].errors, [
    { path: 'transactions[4].devise_id', message: 'unknown field (did you mean "device_id"?)' },
  ]);
  assert.equal(results[5].errors[0].path, 'transactions[5].timestamp');
  assert.match(results[5].errors[0].message, /^epoch milliseconds expected/);
  assert.equal(results.map((x: { index: number }) => x.index).join(), '0,1,2,3,4,5,6');
  assert.equal(await store.getTransaction('b-typo'), null);
  assert.notEqual(await store.getTransaction('b-ok-2'), null);
});

test('batch envelope: an unknown key is named, a missing or empty list says what it needs', async () => {
  const typo = await post('/api/v1/transactions/batch', { transaction: [tx('e1')] });
  assert.equal(typo.statusCode, 400);
  assert.deepEqual(typo.json().details, [
    { path: 'transaction', message: 'unknown field (did you mean "transactions"?)' },
  ]);
  const empty = await post('/api/v1/transactions/batch', { transactions: [] });
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(empty.json().details, [
    { path: 'transactions', message: 'must hold 1 to 1000 transactions, got 0' },
  ]);
  const missing = await post('/api/v1/transactions/batch', {});
  assert.deepEqual(missing.json().details, [{ path: 'transactions', message: 'is required' }]);
});

test('the transaction routes refuse query parameters too', async () => {
  const r = await post('/api/v1/transactions?dry_run=1', tx('q1'));
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, [
    { path: 'dry_run', message: 'unknown query parameter (none is taken here)' },
  ]);
  assert.equal(await store.getTransaction('q1'), null);
  const batch = await post('/api/v1/transactions/batch?x=1', { transactions: [tx('q2')] });
  assert.equal(batch.statusCode, 400);
});
