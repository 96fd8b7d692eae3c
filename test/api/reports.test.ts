/** The report routes: figures from the store at the service's time, formats, roles, and clear 400s. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import type { Outcome } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12); // Wednesday of 2026-W48
const LAST_WEEK = Date.UTC(2026, 10, 16);

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-reports-')), 'r.db'));
await store.migrate();
const app = buildApp({ service: new DecisionService(new Engine(), store, () => NOW, 1000) });
const analyst = (await createApiKey(store, 'analyst', 'alice')).key;
const auditor = (await createApiKey(store, 'auditor', 'carol')).key;
const service = (await createApiKey(store, 'service', 'gateway')).key;
after(async () => {
  await app.close();
  await store.close();
});

function decided(i: number, at: number, outcome: Outcome, country: string): NewDecision {
  const id = `r${i}`;
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: 'a',
      merchant_id: 'm',
      amount: 100,
      currency: 'EUR',
      country,
    },
    decision: {
      transaction_id: id,
      score: outcome === 'approve' ? 0.1 : 0.9,
      outcome,
      reasons: [],
      rule_score: 0,
      model_score: null,
      model_version: 'iforest-1+gbdt-1',
      rules_version: 'v',
      bypassed: false,
      degraded: false,
    },
    payload_hash: id,
    decided_at: at,
  };
}

// Last week: 10 decisions, 4 flagged; the week before: 5, 1 flagged. The last hour: 6 flagged of 6 from PL.
await store.saveDecisions([
  ...Array.from({ length: 10 }, (_, i) =>
    decided(i, LAST_WEEK + i * DAY * 0.5, i < 4 ? 'review' : 'approve', 'DE'),
  ),
  ...Array.from({ length: 5 }, (_, i) =>
    decided(20 + i, LAST_WEEK - 7 * DAY + i * DAY, i < 1 ? 'decline' : 'approve', 'DE'),
  ),
  ...Array.from({ length: 6 }, (_, i) => decided(40 + i, NOW - 30 * 60_000 + i, 'review', 'PL')),
]);
await store.setStatus('r0', 'confirmed_fraud', 'alice', null, LAST_WEEK + DAY);
await store.setStatus('r1', 'legitimate', 'alice', null, LAST_WEEK + DAY);

const get = (url: string, key = analyst) => app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

test('GET /api/v1/reports/weekly: the last complete week against the one before, at the service time', async () => {
  const res = await get('/api/v1/reports/weekly');
  assert.equal(res.statusCode, 200);
  const r = res.json();
  assert.equal(r.current.week, '2026-W47');
  assert.equal(r.current.decisions, 10);
  assert.equal(r.current.alert_rate, 0.4);
  assert.deepEqual(r.current.reviewed, { labelled: 2, fraud: 1, legit: 1, precision: 0.5 });
  assert.equal(r.current.backlog.open, 2);
  assert.equal(r.previous.week, '2026-W46');
  assert.equal(r.previous.decisions, 5);
  assert.equal(r.previous.blocked.decisions, 1);
  assert.equal(r.generated_at, new Date(NOW).toISOString());
  assert.equal((await get('/api/v1/reports/weekly?week=2026-W47', auditor)).json().current.decisions, 10);
});

test('weekly report as HTML (an attachment with inline SVG) and as Markdown', async () => {
  const html = await get('/api/v1/reports/weekly?format=html');
  assert.equal(html.statusCode, 200);
  assert.match(String(html.headers['content-type']), /^text\/html/);
  assert.match(
    String(html.headers['content-disposition']),
    /attachment; filename="fraudwatch-weekly-2026-W47\.html"/,
  );
  assert.match(html.body, /<svg /);
  assert.doesNotMatch(html.body, /<script/);
  const md = await get('/api/v1/reports/weekly?format=md');
  assert.match(String(md.headers['content-type']), /^text\/markdown/);
  assert.match(md.body, /^# fraudwatch weekly report 2026-W47/);
});

test('GET /api/v1/reports/patterns: the last hour against the week before it', async () => {
  const res = await get('/api/v1/reports/patterns?current=1h&baseline=7d');
  assert.equal(res.statusCode, 200);
  const r = res.json();
  const country = r.dimensions.find((d: { dimension: string }) => d.dimension === 'country');
  assert.equal(country.rows[0].value, 'PL');
  assert.equal(country.rows[0].risk, 'high');
  assert.match(country.rows[0].rule, /new/);
  assert.equal(r.risk, 'high');
  assert.match(r.risk_rule, /high: /);
});

test('report routes refuse bad parameters with a 400 naming them, and callers without the role', async () => {
  const bad = async (url: string, path: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 400, url);
    assert.equal(res.json().details[0].path, path, url);
  };
  await bad('/api/v1/reports/weekly?week=2026-48', 'week');
  await bad('/api/v1/reports/weekly?week=2026-W60', 'week');
  await bad('/api/v1/reports/weekly?week=2027-W01', 'week'); // not begun at the service's time
  await bad('/api/v1/reports/patterns?current=3', 'current');
  await bad('/api/v1/reports/patterns?baseline=0d', 'baseline');
  const unknown = await get('/api/v1/reports/weekly?weeks=last');
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.body, /weeks/);
  const format = await get('/api/v1/reports/weekly?format=pdf');
  assert.equal(format.statusCode, 400);
  assert.match(format.body, /format/);
  assert.equal((await get('/api/v1/reports/weekly', service)).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/reports/patterns' })).statusCode, 401);
});
