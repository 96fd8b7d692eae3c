/** The queue routes: roles, validation naming the field, create/change/members/delete each audited. */
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

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-queues-')), 'q.db'));
await store.migrate();
const app = buildApp({ service: new DecisionService(new Engine(), store, () => Date.now(), 1000) });
const admin = (await createApiKey(store, 'admin', 'queue17-root')).key;
const analyst = (await createApiKey(store, 'analyst', 'alice')).key;
const auditor = (await createApiKey(store, 'auditor', 'carol')).key;
after(async () => {
  await app.close();
  await store.close();
});

const call = (
  key: string,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) =>
  app.inject({ method, url, headers: { 'x-api-key': key }, ...(payload === undefined ? {} : { payload }) });

test('an admin creates, changes, re-staffs and deletes a queue; each change is audited', async () => {
  const created = await call(admin, 'POST', '/api/v1/queues', {
    name: 'high amount',
    filter: { min_amount: 1000 },
    members: [{ name: 'alice', capacity: 3 }],
    sla_seconds: 3600,
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().created_by, 'queue17-root');
  assert.deepEqual(created.json().filter, { min_amount: 1000 });

  const again = await call(admin, 'POST', '/api/v1/queues', { name: 'high amount', sla_seconds: 60 });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().details[0].path, 'name');

  const changed = await call(admin, 'PATCH', '/api/v1/queues/high%20amount', { sla_seconds: 1800 });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().sla_seconds, 1800);
  assert.deepEqual(changed.json().members, [{ name: 'alice', capacity: 3 }]);

  const staffed = await call(admin, 'PUT', '/api/v1/queues/high%20amount/members', {
    members: [
      { name: 'alice', capacity: 1 },
      { name: 'bob', capacity: 4 },
    ],
  });
  assert.equal(staffed.statusCode, 200, staffed.body);
  assert.equal(staffed.json().members.length, 2);

  for (const key of [analyst, auditor]) {
    const list = await call(key, 'GET', '/api/v1/queues');
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().items.map((q: { name: string }) => q.name),
      ['high amount'],
    );
    const one = await call(key, 'GET', '/api/v1/queues/high%20amount');
    assert.equal(one.json().sla_seconds, 1800);
  }

  assert.equal((await call(admin, 'DELETE', '/api/v1/queues/high%20amount')).statusCode, 204);
  assert.equal((await call(admin, 'DELETE', '/api/v1/queues/high%20amount')).statusCode, 404);
  assert.equal((await call(analyst, 'GET', '/api/v1/queues/high%20amount')).statusCode, 404);

  const trail = await store.listAudit({ actor: 'queue17-root' });
  assert.deepEqual(
    trail.map((e) => e.action),
    ['queue_created', 'queue_updated', 'queue_updated', 'queue_deleted'],
  );
  assert.equal(JSON.parse(trail[1]!.old_value!).sla_seconds, 3600);
  assert.equal(JSON.parse(trail[1]!.new_value!).sla_seconds, 1800);
});

test('analysts and auditors may not change queues', async () => {
  for (const key of [analyst, auditor]) {
    const r = await call(key, 'POST', '/api/v1/queues', { name: 'mine', sla_seconds: 60 });
    assert.equal(r.statusCode, 403);
  }
  assert.equal((await call(admin, 'GET', '/api/v1/queues')).json().items.length, 0);
});

test('bad input is a 400 naming the field, never a 5xx', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: 'q', sla_seconds: 0 }, 'sla_seconds'],
    [{ name: '/etc', sla_seconds: 60 }, 'name'],
    [{ name: 'q', sla_seconds: 60, filter: { sql: 'DROP TABLE audit' } }, 'filter.sql'],
    [{ name: 'q', sla_seconds: 60, filter: { min_score: 2 } }, 'filter.min_score'],
    [{ name: 'q', sla_seconds: 60, members: [{ name: 'a', capacity: -1 }] }, 'members[0].capacity'],
    [
      {
        name: 'q',
        sla_seconds: 60,
        members: [
          { name: 'a', capacity: 1 },
          { name: 'a', capacity: 2 },
        ],
      },
      'members[1].name',
    ],
    [{ sla_seconds: 60 }, 'name'],
  ];
  for (const [body, path] of cases) {
    const r = await call(admin, 'POST', '/api/v1/queues', body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    assert.ok(
      r.json().details.some((d: { path: string }) => d.path === path),
      `${JSON.stringify(body)} names ${path}: ${r.body}`,
    );
  }
  const empty = await call(admin, 'PATCH', '/api/v1/queues/q', {});
  assert.equal(empty.statusCode, 400);
  const unknown = await call(admin, 'PATCH', '/api/v1/queues/nope', { sla_seconds: 5 });
  assert.equal(unknown.statusCode, 404);
  assert.equal((await call(admin, 'GET', '/api/v1/queues')).json().items.length, 0, 'nothing half-written');
});
