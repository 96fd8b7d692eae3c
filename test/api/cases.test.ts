/**
 * The case model through the HTTP API (docs/api.md, "Cases"): which outcome opens a case, what the queue and the
 * account history show, reopening, and a verdict given twice.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-cases-')), 'cases.db'));
await store.migrate();
const engine = new Engine({ labelDelayMs: 0 });
const service = new DecisionService(engine, store, Date.now, 1000, new Metrics());
const app = buildApp({ service });
const keys = {
  service: (await createApiKey(store, 'service', 'checkout')).key,
  analyst: (await createApiKey(store, 'analyst', 'alice')).key,
  auditor: (await createApiKey(store, 'auditor', 'audrey')).key,
};
after(async () => {
  await app.close();
  await store.close();
});

const send = (role: keyof typeof keys, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  app.inject({ method, url, payload, headers: { 'x-api-key': keys[role] } });

/** Every score lands in one outcome band: thresholds at 0 or above any score pick the outcome outright. */
const OUTCOME_BANDS: Record<string, Thresholds> = {
  approve: { review: 1, block_and_review: 1, decline: 1 },
  review: { review: 0, block_and_review: 1, decline: 1 },
  block_and_review: { review: 0, block_and_review: 0, decline: 1 },
  decline: { review: 0, block_and_review: 0, decline: 0 },
};

let minute = 0;
async function submit(id: string, outcome: keyof typeof OUTCOME_BANDS): Promise<void> {
  engine.setSettings({ thresholds: OUTCOME_BANDS[outcome]! });
  const r = await send('service', 'POST', '/api/v1/transactions', {
    transaction_id: id,
    timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute++)).toISOString(),
    account_id: 'acct-cases',
    amount: 40,
    currency: 'EUR',
    merchant_id: 'shop-cases',
  });
  engine.setSettings({ thresholds: DEFAULT_THRESHOLDS });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().decision.outcome, outcome, `${id} came out ${outcome}`);
}

await submit('c-approve', 'approve');
await submit('c-review', 'review');
await submit('c-block', 'block_and_review');
await submit('c-decline', 'decline');

const statusOf = async (id: string): Promise<string> =>
  (await send('analyst', 'GET', `/api/v1/transactions/${id}`)).json().status;

test('approved: no case; review and block-and-review: open; declined: decided, out of the open queue', async () => {
  assert.deepEqual(
    [
      await statusOf('c-approve'),
      await statusOf('c-review'),
      await statusOf('c-block'),
      await statusOf('c-decline'),
    ],
    ['none', 'open', 'open', 'decided'],
  );
  const open = await send('analyst', 'GET', '/api/v1/anomalies?status=open');
  assert.deepEqual(
    open
      .json()
      .items.map((i: { transaction: { transaction_id: string } }) => i.transaction.transaction_id)
      .sort(),
    ['c-block', 'c-review'],
  );
  const decided = await send('analyst', 'GET', '/api/v1/anomalies/count?status=decided');
  assert.equal(decided.json().count, 1);
  const history = await send('analyst', 'GET', '/api/v1/accounts/acct-cases/transactions');
  const byId = Object.fromEntries(
    history
      .json()
      .items.map((i: { transaction: { transaction_id: string }; status: string }) => [
        i.transaction.transaction_id,
        i.status,
      ]),
  );
  assert.equal(byId['c-approve'], 'none', 'the account history does not call an approval open');
});

test('the same verdict twice: one audit entry, one count; another verdict changes it and is audited', async () => {
  const first = await send('analyst', 'PUT', '/api/v1/anomalies/c-review', { status: 'confirmed_fraud' });
  assert.deepEqual(first.json(), {
    transaction_id: 'c-review',
    old_status: 'open',
    status: 'confirmed_fraud',
    changed: true,
  });
  const again = await send('analyst', 'PUT', '/api/v1/anomalies/c-review', {
    status: 'confirmed_fraud',
    note: 'pressed twice',
  });
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json(), {
    transaction_id: 'c-review',
    old_status: 'confirmed_fraud',
    status: 'confirmed_fraud',
    changed: false,
  });
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /fraudwatch_case_reviews_total\{status="confirmed_fraud"\} 1\b/);
  const other = await send('analyst', 'PUT', '/api/v1/anomalies/c-review', { status: 'legitimate' });
  assert.equal(other.json().changed, true);
  const trail = await store.listAudit({ transaction_id: 'c-review', action: 'status_change' });
  assert.deepEqual(
    trail.map((e) => [e.old_value, e.new_value]),
    [
      ['open', 'confirmed_fraud'],
      ['confirmed_fraud', 'legitimate'],
    ],
  );
  const refused = await send('analyst', 'PUT', '/api/v1/anomalies/c-block', { status: 'decided' });
  assert.equal(refused.statusCode, 400, 'decided is the engine’s, not a verdict');
  assert.equal(refused.json().details[0].path, 'status');
});

test('reopen: a closed case and a disputed decline become open, audited; an open case or an approval cannot', async () => {
  const reopened = await send('analyst', 'POST', '/api/v1/anomalies/c-review/reopen', {
    note: 'customer disputes',
  });
  assert.equal(reopened.statusCode, 200, reopened.body);
  assert.deepEqual(reopened.json(), {
    transaction_id: 'c-review',
    old_status: 'legitimate',
    status: 'open',
    changed: true,
  });
  const [entry] = await store.listAudit({ transaction_id: 'c-review', action: 'case_reopened' });
  assert.deepEqual(
    [entry?.actor, entry?.old_value, entry?.new_value, entry?.note],
    ['alice', 'legitimate', 'open', 'customer disputes'],
  );
  const dispute = await send('analyst', 'POST', '/api/v1/anomalies/c-decline/reopen', {});
  assert.equal(dispute.statusCode, 200, dispute.body);
  assert.equal(await statusOf('c-decline'), 'open');

  await send('analyst', 'PUT', '/api/v1/anomalies/c-block', { status: 'under_review' });
  const underReview = await send('analyst', 'POST', '/api/v1/anomalies/c-block/reopen', {});
  assert.equal(underReview.statusCode, 409);
  assert.match(underReview.json().message, /c-block cannot be reopened: its case is open \(under review\)/);
  const approved = await send('analyst', 'POST', '/api/v1/anomalies/c-approve/reopen', {});
  assert.equal(approved.statusCode, 409);
  assert.match(approved.json().message, /approved and has no case/);
  assert.equal(await statusOf('c-approve'), 'none');
  assert.equal((await send('analyst', 'POST', '/api/v1/anomalies/nope/reopen', {})).statusCode, 404);
  const auditor = await send('auditor', 'POST', '/api/v1/anomalies/c-review/reopen', {});
  assert.equal(auditor.statusCode, 403);
  const bad = await send('analyst', 'POST', '/api/v1/anomalies/c-review/reopen', {
    note: 'x'.repeat(2001),
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'note');
  assert.equal(
    (await store.listAudit({ transaction_id: 'c-review', action: 'case_reopened' })).length,
    1,
    'refused and repeated reopens wrote nothing',
  );
});
