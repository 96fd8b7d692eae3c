/** /api/v1/webhooks: roles (admin manages, auditor reads, never a secret), bad input named, changes audited. */
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

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-webhooks-api-')), 'api.db'));
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

const good = { url: 'https://hooks.example.com/fraud', events: ['decision.declined', 'case.opened'] };
const create = (payload: unknown, role = 'admin') =>
  app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: as(role), payload: payload as object });

test('roles: only admin creates, changes, rotates, deletes; auditor and admin read; no read shows a secret', async () => {
  for (const role of ['service', 'analyst', 'auditor'])
    assert.equal((await create(good, role)).statusCode, 403, role);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/webhooks' })).statusCode, 401);
  const created = await create(good);
  assert.equal(created.statusCode, 201);
  const hook = created.json();
  assert.match(hook.secret, /^whsec_/);
  assert.equal(hook.enabled, true);
  for (const role of ['admin', 'auditor']) {
    const list = await app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: as(role) });
    assert.equal(list.statusCode, 200, role);
    assert.doesNotMatch(list.body, /whsec_|secret/);
    const one = await app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: as(role) });
    assert.equal(one.statusCode, 200);
    assert.doesNotMatch(one.body, /whsec_|secret/);
    const log = await app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${hook.id}/deliveries`,
      headers: as(role),
    });
    assert.equal(log.statusCode, 200);
  }
  for (const role of ['service', 'analyst'])
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: as(role) })).statusCode,
      403,
    );
  for (const [method, url] of [
    ['PATCH', `/api/v1/webhooks/${hook.id}`],
    ['POST', `/api/v1/webhooks/${hook.id}/rotate-secret`],
    ['DELETE', `/api/v1/webhooks/${hook.id}`],
  ] as const) {
    const refused = await app.inject({
      method,
      url,
      headers: as('auditor'),
      ...(method === 'PATCH' ? { payload: { enabled: false } } : {}),
    });
    assert.equal(refused.statusCode, 403, `${method} ${url}`);
  }
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/webhooks/${hook.id}`,
    headers: as('admin'),
    payload: { enabled: false, min_score: 0.8 },
  });
  assert.equal(patched.statusCode, 200);
  assert.deepEqual(
    [patched.json().enabled, patched.json().min_score, patched.json().url],
    [false, 0.8, good.url],
  );
  const rotated = await app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/${hook.id}/rotate-secret`,
    headers: as('admin'),
  });
  assert.equal(rotated.statusCode, 200);
  assert.notEqual(rotated.json().secret, hook.secret);
  assert.notEqual(rotated.json().key_id, hook.key_id);
  const removed = await app.inject({
    method: 'DELETE',
    url: `/api/v1/webhooks/${hook.id}`,
    headers: as('admin'),
  });
  assert.equal(removed.statusCode, 200);
  const gone = await app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: as('admin') });
  assert.equal(gone.statusCode, 404);

  // Every change is in the audit trail, by the admin, without the secret.
  const audit = await store.listAudit({ actor: 'admin-key', limit: 100 });
  assert.deepEqual(
    audit.map((e) => e.action).filter((a) => a.startsWith('webhook_')),
    ['webhook_created', 'webhook_updated', 'webhook_secret_rotated', 'webhook_deleted'],
  );
  assert.ok(audit.every((e) => !`${e.old_value}${e.new_value}`.includes('whsec_')));
});

test('bad input: 400 naming the field, never a 5xx', async () => {
  const cases: [unknown, string][] = [
    [{ ...good, url: 'ftp://example.com/x' }, 'url'],
    [{ ...good, url: 'not a url' }, 'url'],
    [{ ...good, url: 'https://user:pw@example.com/x' }, 'url'],
    [{ ...good, url: '' }, 'url'],
    [{ ...good, events: [] }, 'events'],
    [{ ...good, events: ['decision.approved'] }, 'events'],
    [{ url: good.url }, 'events'],
    [{ events: good.events }, 'url'],
    [{ ...good, min_score: 1.5 }, 'min_score'],
    [{ ...good, outcomes: ['maybe'] }, 'outcomes'],
    [{ ...good, enabled: 'yes' }, 'enabled'],
    [{ ...good, colour: 'red' }, 'colour'],
  ];
  for (const [payload, field] of cases) {
    const r = await create(payload);
    assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
    const paths = r
      .json()
      .details.map((d: { path: string }) => d.path)
      .join(' ');
    assert.ok(paths.includes(field), `${JSON.stringify(payload)} -> ${paths}`);
  }
  const hook = (await create(good)).json();
  const patch = await app.inject({
    method: 'PATCH',
    url: `/api/v1/webhooks/${hook.id}`,
    headers: as('admin'),
    payload: { url: 'javascript:alert(1)' },
  });
  assert.equal(patch.statusCode, 400);
  assert.equal(patch.json().details[0].path, 'url');
  const unknown = await app.inject({
    method: 'PATCH',
    url: '/api/v1/webhooks/wh_nope',
    headers: as('admin'),
    payload: { enabled: true },
  });
  assert.equal(unknown.statusCode, 404);
  const badStatus = await app.inject({
    method: 'GET',
    url: `/api/v1/webhooks/${hook.id}/deliveries?status=lost`,
    headers: as('admin'),
  });
  assert.equal(badStatus.statusCode, 400);
  assert.match(badStatus.json().details[0].path, /status/);
  const redeliver = await app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/${hook.id}/deliveries/nope/redeliver`,
    headers: as('admin'),
  });
  assert.equal(redeliver.statusCode, 404);
});
