import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-api-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, new Metrics());
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const) {
  keys[role] = (await createApiKey(store, role, role === 'analyst' ? 'alice' : `${role}-key`)).key;
}
const revoked = await createApiKey(store, 'admin', 'old');
await store.revokeApiKey(revoked.record.id, Date.now());
const as = (role: string): Record<string, string> => ({ 'x-api-key': keys[role]! });
/** Requests as the role that would make them: the checkout service submits, an analyst (alice) reviews. */
const call = (opts: {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}) =>
  app.inject({
    method: opts.method,
    url: opts.url,
    payload: opts.payload as object,
    headers: { ...(opts.method === 'POST' ? as('service') : as('analyst')), ...opts.headers },
  });
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
  merchant_id: 'shop-1',
  ...extra,
});

test('POST /api/v1/transactions scores and stores: 201, then 200 for the same payload, 409 for another', async () => {
  for (let i = 0; i < 20; i++) {
    const r = await call({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: tx(`h${i}`, { timestamp: new Date(Date.UTC(2026, 1, 1 + i)).toISOString() }),
    });
    assert.equal(r.statusCode, 201, r.body);
  }
  const big = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: tx('big', { amount: 8000 }),
  });
  assert.equal(big.statusCode, 201);
  const body = big.json();
  assert.equal(body.transaction_id, 'big');
  assert.notEqual(body.decision.outcome, 'approve', 'the seed example: 8,000 on an account averaging 150');
  assert.ok(
    body.decision.reasons.some((r: { rule?: string }) => r.rule?.startsWith('high_amount_vs_history')),
  );
  const again = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: tx('big', { amount: 8000 }),
  });
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json().decision, body.decision);
  assert.equal(again.json().duplicate, true);
  const other = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: tx('big', { amount: 1 }),
  });
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().details[0].path, 'transaction_id');
});

test('bad input: 400 with every field path, never a 5xx', async () => {
  const r = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: { transaction_id: 'x', amount: 'lots' },
  });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(
    r.json().details.map((d: { path: string }) => d.path),
    ['timestamp', 'account_id', 'amount'],
  );
  const notJson = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: { 'content-type': 'application/json' },
    payload: '{"a":',
  });
  assert.equal(notJson.statusCode, 400);
  const array = await call({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: [1, 2],
  });
  assert.equal(array.statusCode, 400);
  const q = await call({
    method: 'GET',
    headers: as('analyst'),
    url: '/api/v1/anomalies?limit=5000&min_score=abc',
  });
  assert.equal(q.statusCode, 400);
  assert.ok(
    q.json().details.some((d: { path: string }) => d.path === 'limit' || d.path === 'min_score'),
    q.body,
  );
  const cursor = await call({
    method: 'GET',
    headers: as('analyst'),
    url: '/api/v1/anomalies?cursor=zzz',
  });
  assert.equal(cursor.statusCode, 400);
  assert.equal(cursor.json().details[0].path, 'cursor');
  const from = await call({
    method: 'GET',
    headers: as('analyst'),
    url: '/api/v1/anomalies?from=yesterday',
  });
  assert.equal(from.statusCode, 400);
  assert.equal(from.json().details[0].path, 'from');
  assert.equal((await call({ method: 'GET', url: '/api/v1/nothing' })).statusCode, 404);
});

test('GET a transaction; the review queue lists, counts and pages; a verdict is audited', async () => {
  const got = await call({ method: 'GET', url: '/api/v1/transactions/big' });
  assert.equal(got.statusCode, 200);
  assert.equal(got.json().status, 'open');
  assert.equal((await call({ method: 'GET', url: '/api/v1/transactions/none' })).statusCode, 404);
  const list = await call({ method: 'GET', url: '/api/v1/anomalies?limit=10' });
  assert.equal(list.statusCode, 200);
  const ids = list
    .json()
    .items.map((i: { transaction: { transaction_id: string } }) => i.transaction.transaction_id);
  assert.ok(ids.includes('big'));
  const count = await call({
    method: 'GET',
    headers: as('analyst'),
    url: '/api/v1/anomalies/count?status=open',
  });
  assert.equal(count.json().count, ids.length);
  const put = await call({
    method: 'PUT',
    url: '/api/v1/anomalies/big',
    headers: as('analyst'),
    payload: { status: 'confirmed_fraud', note: 'called the customer' },
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), {
    transaction_id: 'big',
    old_status: 'open',
    status: 'confirmed_fraud',
    changed: true,
  });
  const trail = await store.listAudit({ transaction_id: 'big', action: 'status_change' });
  assert.deepEqual(
    [trail[0]?.actor, trail[0]?.new_value, trail[0]?.note],
    ['alice', 'confirmed_fraud', 'called the customer'],
  );
  assert.equal(
    (
      await call({
        method: 'PUT',
        url: '/api/v1/anomalies/none',
        headers: as('analyst'),
        payload: { status: 'legitimate' },
      })
    ).statusCode,
    404,
  );
  const bad = await call({
    method: 'PUT',
    url: '/api/v1/anomalies/big',
    headers: as('analyst'),
    payload: { status: 'maybe' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'status');
});

test('health: components, overall state, liveness and readiness', async () => {
  const h = await call({ method: 'GET', url: '/health' });
  const body = h.json();
  assert.equal(h.statusCode, 200);
  assert.equal(body.components.database.status, 'healthy');
  assert.equal(body.status, 'degraded', 'no model loaded yet');
  assert.ok(typeof body.uptime_seconds === 'number' && body.version && body.timestamp);
  assert.equal((await call({ method: 'GET', url: '/health/live' })).statusCode, 200);
  assert.equal((await call({ method: 'GET', url: '/health/ready' })).json().ready, true);
});

test('every route for every role: allowed -> its own answer, forbidden -> 403, no or bad key -> 401', async () => {
  const routes: {
    method: 'GET' | 'POST' | 'PUT';
    url: string;
    payload?: unknown;
    allowed: readonly string[];
  }[] = [
    { method: 'POST', url: '/api/v1/transactions', payload: tx('matrix'), allowed: ['service', 'admin'] },
    { method: 'GET', url: '/api/v1/transactions/big', allowed: ['service', 'analyst', 'admin', 'auditor'] },
    { method: 'GET', url: '/api/v1/anomalies', allowed: ['analyst', 'admin', 'auditor'] },
    { method: 'GET', url: '/api/v1/anomalies/count', allowed: ['analyst', 'admin', 'auditor'] },
    // Before the verdict below: 'big' is confirmed fraud, reopened (then open already, answered unchanged).
    { method: 'POST', url: '/api/v1/anomalies/big/reopen', payload: {}, allowed: ['analyst', 'admin'] },
    {
      method: 'PUT',
      url: '/api/v1/anomalies/big',
      payload: { status: 'under_review' },
      allowed: ['analyst', 'admin'],
    },
    { method: 'GET', url: '/api/v1/rules', allowed: ['analyst', 'admin', 'auditor'] },
    {
      method: 'POST',
      url: '/api/v1/transactions/batch',
      payload: { transactions: [tx('matrix-batch')] },
      allowed: ['service', 'admin'],
    },
    { method: 'GET', url: '/api/v1/audit', allowed: ['analyst', 'admin', 'auditor'] },
    { method: 'GET', url: '/api/v1/accounts/acct-1/profile', allowed: ['analyst', 'admin', 'auditor'] },
    {
      method: 'PUT',
      url: '/api/v1/accounts/acct-1/profile',
      payload: { reset: true },
      allowed: ['analyst', 'admin'],
    },
    {
      method: 'POST',
      url: '/api/v1/rules/validate',
      payload: { version: 'x', rules: [] },
      allowed: ['analyst', 'admin'],
    },
    { method: 'PUT', url: '/api/v1/rules', payload: service.engine.ruleSet.document, allowed: ['admin'] },
    { method: 'GET', url: '/api/v1/rules/versions', allowed: ['analyst', 'admin', 'auditor'] },
    { method: 'GET', url: '/api/v1/settings/decision', allowed: ['analyst', 'admin', 'auditor'] },
    { method: 'PUT', url: '/api/v1/settings/decision', payload: { bypass: false }, allowed: ['admin'] },
    { method: 'GET', url: '/api/v1/me', allowed: ['service', 'analyst', 'admin', 'auditor'] },
    { method: 'GET', url: '/api/v1/stats/overview', allowed: ['analyst', 'admin', 'auditor'] },
    {
      method: 'POST',
      url: '/api/v1/rules/dry-run',
      payload: { document: service.engine.ruleSet.document, last: 10 },
      allowed: ['analyst', 'admin', 'auditor'],
    },
    { method: 'GET', url: '/api/v1/accounts/acct-1/transactions', allowed: ['analyst', 'admin', 'auditor'] },
  ];
  for (const route of routes) {
    for (const role of ['service', 'analyst', 'admin', 'auditor']) {
      const r = await app.inject({
        method: route.method,
        url: route.url,
        payload: route.payload as object,
        headers: as(role),
      });
      const label = `${role} ${route.method} ${route.url}`;
      if (route.allowed.includes(role))
        assert.ok(r.statusCode >= 200 && r.statusCode < 300, `${label}: ${r.statusCode} ${r.body}`);
      else assert.equal(r.statusCode, 403, label);
    }
    const none = await app.inject({ method: route.method, url: route.url, payload: route.payload as object });
    assert.equal(none.statusCode, 401, `no key ${route.url}`);
    const wrong = await app.inject({
      method: route.method,
      url: route.url,
      payload: route.payload as object,
      headers: { 'x-api-key': `fw_${'A'.repeat(43)}` },
    });
    assert.equal(wrong.statusCode, 401, `unknown key ${route.url}`);
    const old = await app.inject({
      method: route.method,
      url: route.url,
      payload: route.payload as object,
      headers: { 'x-api-key': revoked.key },
    });
    assert.equal(old.statusCode, 401, `revoked key ${route.url}`);
    assert.match(old.json().message, /revoked/);
  }
  for (const url of ['/health', '/health/live', '/health/ready']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is public`);
  }
});

test('rules: a published change is used by the next decision, kept as a version, audited, and can be rolled back', async () => {
  const admin = as('admin');
  const current = (await app.inject({ method: 'GET', url: '/api/v1/rules', headers: admin })).json();
  // publish what is in force as a baseline version, so there is something to roll back to
  assert.equal(
    (await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: current.document }))
      .statusCode,
    200,
  );
  const doc = structuredClone(current.document);
  doc.version = 'live-2';
  doc.rules.push({
    id: 'tiny_amounts',
    version: 1,
    when: { field: 'amount', op: '<', value: 1 },
    outcome: 'decline',
    reason: 'test rule',
  });
  const payment = (id: string) => ({
    method: 'POST' as const,
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: tx(id, { amount: 0.5, account_id: 'rules-acct' }),
  });
  assert.equal((await app.inject(payment('before'))).json().decision.outcome, 'approve');
  const bad = structuredClone(doc);
  bad.rules[bad.rules.length - 1].when.field = 'amout';
  const refused = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: bad });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.json().details[0].path, /^rules\[\d+\]\.when\.field$/);
  assert.match(refused.json().details[0].message, /did you mean "amount"/);
  const check = await app.inject({
    method: 'POST',
    url: '/api/v1/rules/validate',
    headers: admin,
    payload: bad,
  });
  assert.equal(check.json().valid, false);
  const published = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: doc });
  assert.equal(published.statusCode, 200, published.body);
  assert.equal(published.json().version, 'live-2');
  const after = (await app.inject(payment('after'))).json().decision;
  assert.equal(after.outcome, 'decline', 'the next decision uses the new rule');
  assert.equal(after.rules_version, 'live-2');
  assert.ok(after.reasons.some((r: { rule?: string }) => r.rule === 'tiny_amounts@1'));
  const versions = (
    await app.inject({ method: 'GET', url: '/api/v1/rules/versions', headers: admin })
  ).json();
  assert.equal(versions.current, 'live-2');
  const older = versions.versions.find((v: { version: string }) => v.version !== 'live-2');
  assert.ok(older, `the version published before is kept: ${JSON.stringify(versions)}`);
  const back = await app.inject({
    method: 'POST',
    url: '/api/v1/rules/rollback',
    headers: admin,
    payload: { version: older.version },
  });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal((await app.inject(payment('rolled-back'))).json().decision.outcome, 'approve');
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/rules/rollback',
        headers: admin,
        payload: { version: 'nope' },
      })
    ).statusCode,
    404,
  );
  const trail = await store.listAudit({ action: 'rules_publish' });
  assert.ok(trail.some((e) => e.new_value === 'live-2' && e.actor === 'admin-key'));
  assert.equal((await store.listAudit({ action: 'rules_rollback' })).length, 1);
});

test('settings: bypass and thresholds change the next decision, are validated and audited', async () => {
  const admin = as('admin');
  const on = await app.inject({
    method: 'PUT',
    url: '/api/v1/settings/decision',
    headers: admin,
    payload: { bypass: true, bypass_score: 0.05 },
  });
  assert.equal(on.statusCode, 200, on.body);
  const d = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      headers: as('service'),
      payload: tx('bypassed', { amount: 9000 }),
    })
  ).json().decision;
  assert.deepEqual([d.outcome, d.score, d.bypassed], ['approve', 0.05, true]);
  await app.inject({
    method: 'PUT',
    url: '/api/v1/settings/decision',
    headers: admin,
    payload: { bypass: false },
  });
  const bad = await app.inject({
    method: 'PUT',
    url: '/api/v1/settings/decision',
    headers: admin,
    payload: { thresholds: { review: 0.9, block_and_review: 0.5, decline: 0.95 } },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'thresholds');
  const outOfRange = await app.inject({
    method: 'PUT',
    url: '/api/v1/settings/decision',
    headers: admin,
    payload: { bypass_score: 2 },
  });
  assert.equal(outOfRange.statusCode, 400);
  assert.equal(outOfRange.json().details[0].path, 'bypass_score');
  const trail = await store.listAudit({ action: 'settings_change' });
  assert.ok(trail.length >= 2);
  assert.ok(trail.some((e) => JSON.parse(e.new_value!).bypass === true && e.actor === 'admin-key'));
});

test('/metrics: Prometheus text with latency by route, decisions by outcome, rule hits, anomalies, bypass', async () => {
  const before = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(before.statusCode, 200);
  assert.match(before.headers['content-type'] as string, /text\/plain/);
  const count = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  const approvals = count(before.body, /^fraudwatch_decisions_total\{outcome="approve"\} (\d+)$/m);
  await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: tx('metrics-1', { amount: 3, account_id: 'm-acct' }),
  });
  const after = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.equal(count(after, /^fraudwatch_decisions_total\{outcome="approve"\} (\d+)$/m), approvals + 1);
  assert.match(
    after,
    /^fraudwatch_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/transactions",status="201"\} \d+$/m,
  );
  assert.match(after, /^fraudwatch_rule_hits_total\{rule="high_amount_vs_history@1"\} \d+$/m);
  assert.match(after, /^anomalies_detected_total \d+$/m);
  assert.match(after, /^fraudwatch_scoring_duration_seconds_bucket/m);
  assert.match(after, /^fraudwatch_bypass_mode 0$/m);
});

test('batch: one result per item in order, bad items named by index, stored in few database transactions', async () => {
  const batchesBefore = service.batchesWritten;
  const items = Array.from({ length: 300 }, (_, i) => tx(`b${i}`, { account_id: `batch-${i % 30}` }));
  items[7] = { ...items[7], amount: -1 };
  items[8] = tx('big', { amount: 8000 }); // stored earlier: a duplicate
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions/batch',
    headers: as('service'),
    payload: { transactions: items },
  });
  assert.equal(r.statusCode, 200, r.body);
  const results = r.json().results;
  assert.equal(results.length, 300);
  assert.deepEqual([results[0].status, results[7].status, results[8].status], [201, 400, 200]);
  assert.equal(results[7].errors[0].path, 'transactions[7].amount');
  assert.ok(
    service.batchesWritten - batchesBefore < 20,
    `${service.batchesWritten - batchesBefore} database transactions`,
  );
  const tooMany = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions/batch',
    headers: as('service'),
    payload: { transactions: Array(1001).fill(tx('x')) },
  });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.json().details[0].path, 'transactions');
  const audit = await app.inject({
    method: 'GET',
    url: '/api/v1/audit?transaction_id=big',
    headers: as('auditor'),
  });
  assert.equal(audit.statusCode, 200);
  assert.ok(audit.json().items.length >= 1);
  assert.match(audit.json().items[0].at, /^\d{4}-\d{2}-\d{2}T/);
});

test('security headers, CORS allow-list, rate limit with Retry-After, OpenAPI document', async () => {
  const limited = buildApp({
    service,
    rateLimitPerMinute: 3,
    anonymousRateLimitPerMinute: 3,
    corsOrigins: ['https://console.example'],
  });
  try {
    const ok = await limited.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://console.example' },
    });
    assert.equal(ok.headers['x-content-type-options'], 'nosniff');
    assert.equal(ok.headers['access-control-allow-origin'], 'https://console.example');
    const other = await limited.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    let last = other;
    for (let i = 0; i < 4; i++) last = await limited.inject({ method: 'GET', url: '/health' });
    assert.equal(last.statusCode, 429);
    assert.equal(last.json().error, 'rate_limited');
    assert.ok(Number(last.headers['retry-after']) > 0, `Retry-After: ${last.headers['retry-after']}`);
    const keyed = await limited.inject({ method: 'GET', url: '/api/v1/rules', headers: as('admin') });
    assert.equal(keyed.statusCode, 200, 'a key has its own budget');
  } finally {
    await limited.close();
  }
  const docs = await app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(docs.statusCode, 200);
  const spec = docs.json();
  assert.equal(spec.openapi.startsWith('3.'), true);
  for (const path of ['/api/v1/transactions', '/api/v1/anomalies', '/api/v1/rules', '/health'])
    assert.ok(spec.paths[path], path);
});

test('rate limit: an X-API-Key that cannot be a key counts against the address, so junk keys get no budgets of their own', async () => {
  const limited = buildApp({ service, rateLimitPerMinute: 2, anonymousRateLimitPerMinute: 2 });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const junk = `${i}`.padEnd(8000, 'x'); // each one would otherwise hold a counter (and 8 kB) for a minute
      codes.push((await limited.inject({ url: '/health', headers: { 'x-api-key': junk } })).statusCode);
    }
    assert.deepEqual(codes, [200, 200, 429]);
    const keyed = await limited.inject({ method: 'GET', url: '/api/v1/rules', headers: as('admin') });
    assert.equal(keyed.statusCode, 200, 'a key still has its own budget');
  } finally {
    await limited.close();
  }
});

test('account profile: usual devices and places, risk from stored decisions; reset is audited', async () => {
  const headers = as('service');
  for (let i = 0; i < 6; i++) {
    await app.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      headers,
      payload: tx(`p${i}`, {
        account_id: 'prof',
        device_id: i < 5 ? 'phone' : 'laptop',
        city: 'Oslo',
        country: 'NO',
        timestamp: new Date(Date.UTC(2026, 3, 1 + i)).toISOString(),
      }),
    });
  }
  const r = await app.inject({ method: 'GET', url: '/api/v1/accounts/prof/profile', headers: as('auditor') });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  assert.equal(p.transactions, 6);
  assert.deepEqual(p.usual.devices, [
    { value: 'phone', count: 5 },
    { value: 'laptop', count: 1 },
  ]);
  assert.deepEqual(p.usual.cities, [{ value: 'Oslo', count: 6 }]);
  assert.equal(p.first_seen, '2026-04-01T00:00:00.000Z');
  assert.equal(p.engine_transactions, 6);
  assert.equal(
    (await app.inject({ method: 'GET', url: '/api/v1/accounts/nobody/profile', headers: as('auditor') }))
      .statusCode,
    404,
  );
  const reset = await app.inject({
    method: 'PUT',
    url: '/api/v1/accounts/prof/profile',
    headers: as('analyst'),
    payload: { reset: true, note: 'card replaced' },
  });
  assert.equal(reset.statusCode, 200);
  assert.equal(service.engine.featureStore.accounts.total('prof'), 0, 'the engine forgot the account');
  const again = (
    await app.inject({ method: 'GET', url: '/api/v1/accounts/prof/profile', headers: as('auditor') })
  ).json();
  assert.equal(again.transactions, 6, 'the stored history stays');
  assert.equal(again.engine_transactions, 0);
  const resets = await store.listAudit({ action: 'profile_reset' });
  assert.ok(resets.some((e) => e.note === 'card replaced' && e.old_value === 'prof' && e.actor === 'alice'));
});

test('GET /api/v1/me names the caller and its role', async () => {
  const r = await call({ method: 'GET', url: '/api/v1/me' });
  assert.deepEqual(r.json(), { name: 'alice', role: 'analyst' });
});

test('overview: decisions of the window by outcome, rates, a bucket for every minute, latency of this process', async () => {
  const before = (await call({ method: 'GET', url: '/api/v1/stats/overview?window=1h' })).json();
  for (const [id, account] of [
    ['ov-1', 'ov'],
    ['ov-2', 'ov-other'],
  ]) {
    const sent = await call({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: tx(id!, { account_id: account }),
    });
    assert.equal(sent.statusCode, 201, sent.body);
  }
  const r = await call({ method: 'GET', url: '/api/v1/stats/overview?window=1h' });
  assert.equal(r.statusCode, 200, r.body);
  const o = r.json();
  assert.equal(o.window, '1h');
  assert.equal(o.total, before.total + 2);
  assert.equal(o.series.length >= 60 && o.series.length <= 61, true, `${o.series.length} buckets`);
  const inSeries = o.series.reduce(
    (n: number, b: { approve: number; review: number; block_and_review: number; decline: number }) =>
      n + b.approve + b.review + b.block_and_review + b.decline,
    0,
  );
  assert.equal(inSeries, o.total, 'the series adds up to the total');
  assert.equal(
    o.score_histogram.reduce((n: number, b: { count: number }) => n + b.count, 0),
    o.total,
  );
  const flagged = o.total - o.outcomes.approve;
  assert.equal(o.alert_rate, flagged / o.total);
  assert.ok(o.scoring_latency_ms.decisions >= 2 && o.scoring_latency_ms.p99 > 0);
  assert.equal(typeof o.bypass, 'boolean');
  const bad = await call({ method: 'GET', url: '/api/v1/stats/overview?window=2h' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'window');
});

test('rules dry run: tried on stored decisions with their features; a bad document names the field', async () => {
  for (let i = 0; i < 3; i++) {
    await call({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: tx(`dry-${i}`, {
        account_id: 'dry',
        amount: 7000 + i,
        merchant_id: 'dry-shop',
        timestamp: new Date(Date.UTC(2026, 2, 2, i)).toISOString(),
      }),
    });
  }
  const document = {
    version: 'dry-1',
    rules: [
      {
        id: 'very_big',
        version: 1,
        when: { field: 'amount', op: '>=', value: 7000 },
        outcome: 'decline',
        reason: 'over 7000',
      },
    ],
  };
  const analyst = as('analyst');
  const r = await call({
    method: 'POST',
    url: '/api/v1/rules/dry-run',
    payload: { document, last: 3 },
    headers: analyst,
  });
  assert.equal(r.statusCode, 200, r.body);
  const result = r.json();
  assert.equal(result.evaluated, 3, 'the three latest decisions, all stored with features');
  assert.deepEqual(result.rules, [{ rule: 'very_big@1', fired: 3, confirmed_fraud: 0, legitimate: 0 }]);
  assert.equal(result.outcomes.decline, 3);
  assert.notEqual(service.engine.rulesVersion, 'dry-1', 'a dry run changes nothing');
  const broken = { ...document, rules: [{ ...document.rules[0], reason: '' }] };
  const bad = await call({
    method: 'POST',
    url: '/api/v1/rules/dry-run',
    payload: { document: broken },
    headers: analyst,
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'document.rules[0].reason');
  const tooMany = await call({
    method: 'POST',
    url: '/api/v1/rules/dry-run',
    payload: { document, last: 1_000_000 },
    headers: analyst,
  });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.json().details[0].path, 'last');
});

test("an account's recent transactions, newest first", async () => {
  const r = await call({ method: 'GET', url: '/api/v1/accounts/dry/transactions?limit=2' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(
    r.json().items.map((s: { transaction: { transaction_id: string } }) => s.transaction.transaction_id),
    ['dry-2', 'dry-1'],
  );
  assert.deepEqual(
    (await call({ method: 'GET', url: '/api/v1/accounts/nobody/transactions' })).json().items,
    [],
  );
  assert.equal(
    (await call({ method: 'GET', url: '/api/v1/accounts/dry/transactions?limit=0' })).statusCode,
    400,
  );
});

test('the dashboard is served at / with its assets; an unbuilt one gets a page that says how to build it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>fraudwatch</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  const web = buildApp({ service, dashboardDir: dir });
  try {
    const page = await web.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<div id="root">/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const asset = await web.inject({ method: 'GET', url: '/assets/app-1234.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await web.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode, 404);
    assert.equal(
      (await web.inject({ method: 'GET', url: '/api/v1/me' })).statusCode,
      401,
      'the API is not shadowed',
    );
  } finally {
    await web.close();
  }
  const bare = buildApp({ service, dashboardDir: join(dir, 'not-there') });
  try {
    const page = await bare.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /npm run build:web/);
  } finally {
    await bare.close();
  }
});
