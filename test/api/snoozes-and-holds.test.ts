/**
 * Rule snoozes and holds through the HTTP API (issue 17): roles, bad input named by field, a snooze muting its rule
 * for its account only, ending one early, and a held decision pending until an analyst's verdict.
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

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-snoozes-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
await service.stored.load();
await service.snoozes.load();
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const)
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
const as = (role: string): Record<string, string> => ({ 'x-api-key': keys[role]! });
after(async () => {
  await app.close();
  await store.close();
});

const rules = {
  version: 'snooze-test-1',
  rules: [
    {
      id: 'big',
      version: 1,
      when: { field: 'amount', op: '>=', value: 1000 },
      score: 0.3,
      at_least: 'review',
      hold: true,
      reason: 'big amount',
    },
    {
      id: 'medium',
      version: 1,
      when: {
        all: [
          { field: 'amount', op: '>=', value: 500 },
          { field: 'amount', op: '<', value: 1000 },
        ],
      },
      outcome: 'review',
      reason: 'medium amount',
    },
  ],
};
const published = await app.inject({
  method: 'PUT',
  url: '/api/v1/rules',
  headers: as('admin'),
  payload: rules,
});
assert.equal(published.statusCode, 200, published.body);

let n = 0;
async function submit(account: string, amount: number) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: {
      transaction_id: `sh-${++n}`,
      timestamp: new Date().toISOString(),
      account_id: account,
      amount,
      currency: 'EUR',
      merchant_id: 'shop-1',
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().decision as {
    transaction_id: string;
    outcome: string;
    hold?: boolean;
    snoozed_rules?: { rule: string; snooze_id: string }[];
  };
}

const snooze = (payload: object, role = 'analyst', rule = 'big') =>
  app.inject({ method: 'POST', url: `/api/v1/rules/${rule}/snoozes`, headers: as(role), payload });
const valid = { entity_type: 'account', entity_id: 'acct-s', duration: '2h', reason: 'known traveller' };

test('roles: analysts and admins snooze and end snoozes; auditors only read; the service neither', async () => {
  for (const role of ['analyst', 'admin']) {
    const r = await snooze({ ...valid, entity_id: `acct-role-${role}` }, role);
    assert.equal(r.statusCode, 201, `${role}: ${r.body}`);
    assert.equal(r.json().created_by, `${role}-key`);
  }
  for (const role of ['auditor', 'service']) assert.equal((await snooze(valid, role)).statusCode, 403, role);
  const list = (role: string) => app.inject({ method: 'GET', url: '/api/v1/snoozes', headers: as(role) });
  assert.equal((await list('auditor')).statusCode, 200);
  assert.equal((await list('service')).statusCode, 403);
  const id = (await list('auditor')).json().items[0].id as string;
  const end = (role: string) =>
    app.inject({ method: 'DELETE', url: `/api/v1/snoozes/${id}`, headers: as(role) });
  assert.equal((await end('auditor')).statusCode, 403);
  assert.equal((await end('admin')).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/snoozes' })).statusCode, 401);
});

test('bad input is a 400 naming the field; an unknown rule is a 404', async () => {
  const cases: [object, string][] = [
    [{ ...valid, entity_type: 'card' }, 'entity_type'],
    [{ ...valid, entity_id: '' }, 'entity_id'],
    [{ ...valid, until: new Date(Date.now() + 60_000).toISOString() }, 'until'],
    [{ entity_type: 'account', entity_id: 'a', reason: 'r' }, 'until'],
    [{ ...valid, duration: 'soon' }, 'duration'],
    [{ ...valid, duration: '100d' }, 'duration'],
    [{ ...valid, duration: undefined, until: '2020-01-01T00:00:00Z' }, 'until'],
    [{ ...valid, duration: undefined, until: 'tomorrow' }, 'until'],
    [{ ...valid, reason: '   ' }, 'reason'],
    [{ ...valid, reason: undefined }, 'reason'],
    [{ ...valid, colour: 'red' }, 'colour'],
  ];
  for (const [body, path] of cases) {
    const r = await snooze(body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    const reply = r.json() as { error: string; details: { path: string }[] };
    assert.equal(reply.error, 'bad_request');
    assert.ok(
      reply.details.some((d) => d.path === path),
      `${JSON.stringify(body)} should name ${path}: ${r.body}`,
    );
  }
  const badRule = await snooze(valid, 'analyst', 'Not-A-Rule');
  assert.equal(badRule.statusCode, 400);
  const unknown = await snooze(valid, 'analyst', 'no_such_rule');
  assert.equal(unknown.statusCode, 404);
  const q = await app.inject({
    method: 'GET',
    url: '/api/v1/snoozes?account_id=a&entity_type=account',
    headers: as('auditor'),
  });
  assert.equal(q.statusCode, 400);
  assert.equal(q.json().details[0].path, 'account_id');
  const badActive = await app.inject({
    method: 'GET',
    url: '/api/v1/snoozes?active=yes',
    headers: as('auditor'),
  });
  assert.equal(badActive.statusCode, 400);
  const missing = await app.inject({
    method: 'DELETE',
    url: '/api/v1/snoozes/snz-none',
    headers: as('analyst'),
  });
  assert.equal(missing.statusCode, 404);
});

test('a snooze mutes its rule for its account only, is audited, listed for the case, and ends early', async () => {
  const created = await snooze(valid);
  assert.equal(created.statusCode, 201, created.body);
  const s = created.json() as { id: string; active: boolean; until: string; rule_id: string };
  assert.equal(s.active, true);
  assert.equal(s.rule_id, 'big');
  assert.ok(Math.abs(Date.parse(s.until) - (Date.now() + 2 * 3_600_000)) < 10_000);

  const muted = await submit('acct-s', 2000);
  assert.equal(muted.outcome, 'approve');
  assert.equal(muted.hold, false);
  assert.deepEqual(
    muted.snoozed_rules?.map((r) => [r.rule, r.snooze_id]),
    [['big@1', s.id]],
  );
  const other = await submit('acct-other', 2000);
  assert.equal(other.outcome, 'review');
  assert.equal(other.hold, true);
  assert.equal(other.snoozed_rules, undefined);

  const forCase = await app.inject({
    method: 'GET',
    url: '/api/v1/snoozes?account_id=acct-s&active=true',
    headers: as('auditor'),
  });
  assert.deepEqual(
    forCase.json().items.map((i: { id: string }) => i.id),
    [s.id],
  );
  const byRule = await app.inject({
    method: 'GET',
    url: '/api/v1/snoozes?rule_id=medium',
    headers: as('auditor'),
  });
  assert.deepEqual(byRule.json().items, []);

  const trail = await store.listAudit({ action: 'rule_snoozed', order: 'desc', limit: 1 });
  assert.equal(trail[0]?.actor, 'analyst-key');
  assert.equal(JSON.parse(trail[0]!.new_value!).id, s.id);

  const ended = await app.inject({
    method: 'DELETE',
    url: `/api/v1/snoozes/${s.id}`,
    headers: as('analyst'),
  });
  assert.equal(ended.statusCode, 200, ended.body);
  assert.equal(ended.json().active, false);
  assert.equal(ended.json().ended_by, 'analyst-key');
  const again = await app.inject({
    method: 'DELETE',
    url: `/api/v1/snoozes/${s.id}`,
    headers: as('analyst'),
  });
  assert.equal(again.statusCode, 409);
  const endTrail = await store.listAudit({ action: 'rule_snooze_ended', order: 'desc', limit: 5 });
  assert.equal(endTrail.filter((e) => JSON.parse(e.new_value!).id === s.id).length, 1, 'audited once');

  const back = await submit('acct-s', 2000);
  assert.equal(back.outcome, 'review', 'the rule counts again at once in this process');
  assert.equal(back.snoozed_rules, undefined);
});

async function read(id: string) {
  const r = await app.inject({ method: 'GET', url: `/api/v1/transactions/${id}`, headers: as('service') });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as {
    status: string;
    hold: { status: string; decided_by: string | null; decided_at: string | null } | null;
  };
}
const verdict = (id: string, status: string) =>
  app.inject({ method: 'PUT', url: `/api/v1/anomalies/${id}`, headers: as('analyst'), payload: { status } });

test('a held decision is pending_review until the verdict, then approved or declined with who and when', async () => {
  const held = await submit('acct-h', 3000);
  assert.equal(held.hold, true);
  assert.deepEqual((await read(held.transaction_id)).hold, {
    status: 'pending_review',
    decided_by: null,
    decided_at: null,
  });
  assert.equal((await verdict(held.transaction_id, 'under_review')).statusCode, 200);
  assert.equal((await read(held.transaction_id)).hold?.status, 'pending_review');
  const before = Date.now();
  assert.equal((await verdict(held.transaction_id, 'legitimate')).statusCode, 200);
  const approved = (await read(held.transaction_id)).hold!;
  assert.equal(approved.status, 'approved');
  assert.equal(approved.decided_by, 'analyst-key');
  assert.ok(Date.parse(approved.decided_at!) >= before - 1000);

  const fraud = await submit('acct-h2', 3000);
  assert.equal((await verdict(fraud.transaction_id, 'confirmed_fraud')).statusCode, 200);
  assert.equal((await read(fraud.transaction_id)).hold?.status, 'declined');

  const review = await submit('acct-r', 700);
  assert.equal(review.outcome, 'review');
  assert.equal(review.hold, false);
  assert.equal((await read(review.transaction_id)).hold, null, 'a review that is not a hold shows no hold');
});

test('hold_on_review makes every review a hold; a bad value is a 400 naming it', async () => {
  const put = (payload: object) =>
    app.inject({ method: 'PUT', url: '/api/v1/settings/decision', headers: as('admin'), payload });
  const bad = await put({ hold_on_review: 'yes' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'hold_on_review');
  const ok = await put({ hold_on_review: true });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().hold_on_review, true);
  const review = await submit('acct-r2', 700);
  assert.equal(review.hold, true);
  assert.equal((await read(review.transaction_id)).hold?.status, 'pending_review');
  assert.equal((await submit('acct-r3', 10)).hold, false, 'an approve is never held');
  const trail = await store.listAudit({ action: 'settings_change', order: 'desc', limit: 1 });
  assert.equal(JSON.parse(trail[0]!.new_value!).hold_on_review, true);
  assert.equal((await put({ hold_on_review: false })).statusCode, 200);
});
