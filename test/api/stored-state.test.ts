/**
 * Settings and rules versions over HTTP: settings versions listed and rolled back; a rules version published
 * twice is idempotent with the same document and a 409 naming it with another; the shipped rules can be rolled
 * back to after a publish, also on a store that never recorded them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { loadDefaultRules } from '../../src/engine/rules/index.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const root = mkdtempSync(join(tmpdir(), 'fraudwatch-stored-state-api-'));
const store = new SqliteStore(join(root, 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
const app = buildApp({ service });
const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'admin-key')).key };
const auditor = { 'x-api-key': (await createApiKey(store, 'auditor', 'auditor-key')).key };
after(async () => {
  await app.close();
  await store.close();
});
const shipped = loadDefaultRules();

test('a store that never recorded the shipped rules (made before first starts did) can still roll back to them', async () => {
  // This service was not started through load(): nothing recorded, as on a store from before.
  assert.deepEqual(await store.listRuleVersions(5), []);
  const doc = { ...shipped.document, version: 'before-defaults-1' };
  assert.equal(
    (await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: doc })).statusCode,
    200,
  );
  const back = await app.inject({
    method: 'POST',
    url: '/api/v1/rules/rollback',
    headers: admin,
    payload: { version: shipped.version },
  });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().version, shipped.version);
  assert.equal(service.engine.rulesVersion, shipped.version);
});

test('after load(), the shipped rules are a version; a rollback to them works after a publish', async () => {
  await service.stored.load();
  const versions = (await app.inject({ url: '/api/v1/rules/versions', headers: auditor })).json();
  assert.ok(versions.versions.some((v: { version: string }) => v.version === shipped.version));
  const doc = { ...shipped.document, version: 'after-defaults-1' };
  const published = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: doc });
  assert.equal(published.statusCode, 200, published.body);
  assert.equal(published.json().created, true);
  const back = await app.inject({
    method: 'POST',
    url: '/api/v1/rules/rollback',
    headers: admin,
    payload: { version: shipped.version },
  });
  assert.equal(back.statusCode, 200, back.body);
  const current = (await app.inject({ url: '/api/v1/rules', headers: auditor })).json();
  assert.equal(current.version, shipped.version);
  assert.deepEqual(current.document, shipped.document);
});

test('a rules version published again: same document 200 and nothing stored, another document 409 naming it', async () => {
  const doc = { ...shipped.document, version: 'twice-1' };
  const first = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: doc });
  assert.equal(first.statusCode, 200, first.body);
  const stored = (await store.listRuleVersions(100)).length;
  const audited = (await store.listAudit({ action: 'rules_publish' })).length;
  // The same document with its keys in another order is the same document.
  const reordered = Object.fromEntries(Object.entries(doc).reverse());
  const again = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: reordered });
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual(again.json(), { ...first.json(), created: false });
  assert.equal((await store.listRuleVersions(100)).length, stored, 'no second copy stored');
  assert.equal((await store.listAudit({ action: 'rules_publish' })).length, audited, 'nothing to audit');
  const other = { ...doc, rules: doc.rules.slice(1) };
  const refused = await app.inject({ method: 'PUT', url: '/api/v1/rules', headers: admin, payload: other });
  assert.equal(refused.statusCode, 409, refused.body);
  assert.equal(refused.json().error, 'conflict');
  assert.equal(refused.json().details[0].path, 'version');
  assert.match(refused.json().message, /twice-1/);
  assert.equal(
    service.engine.ruleSet.rules.length,
    shipped.rules.length,
    'the refused document is not in force',
  );
});

test('settings versions: each change is listed newest first; a rollback puts an older one back as a new version', async () => {
  const put = (payload: object) =>
    app.inject({ method: 'PUT', url: '/api/v1/settings/decision', headers: admin, payload });
  const first = await put({ thresholds: { review: 0.45, block_and_review: 0.7, decline: 0.9 } });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal((await put({ bypass: true, bypass_score: 0.1 })).statusCode, 200);
  const listed = (await app.inject({ url: '/api/v1/settings/decision/versions', headers: auditor })).json();
  assert.equal(listed.versions.length, 2);
  assert.equal(listed.current, listed.versions[0].version);
  assert.equal(listed.versions[0].settings.bypass, true);
  assert.equal(listed.versions[0].changed_by, 'admin-key');
  assert.equal(listed.versions[1].settings.thresholds.review, 0.45);
  assert.equal(listed.versions[1].settings.bypass, false);
  const back = await app.inject({
    method: 'POST',
    url: '/api/v1/settings/decision/rollback',
    headers: admin,
    payload: { version: listed.versions[1].version },
  });
  assert.equal(back.statusCode, 200, back.body);
  assert.deepEqual(back.json(), first.json());
  assert.deepEqual(service.engine.decisionSettings, first.json());
  const after = (await app.inject({ url: '/api/v1/settings/decision/versions', headers: auditor })).json();
  assert.equal(after.versions.length, 3);
  assert.equal(after.current, after.versions[0].version);
  const newest = (
    await app.inject({ url: '/api/v1/settings/decision/versions?limit=1', headers: auditor })
  ).json();
  assert.deepEqual(newest.versions, [after.versions[0]]);
  const rollbacks = (await store.listAudit({ action: 'settings_change' })).filter((e) =>
    e.note?.startsWith('rollback'),
  );
  assert.equal(rollbacks.length, 1, 'a rollback is a settings change, so the Settings page lists it');
  assert.equal(rollbacks[0]!.note, `rollback to version ${listed.versions[1].version}`);
  const missing = await app.inject({
    method: 'POST',
    url: '/api/v1/settings/decision/rollback',
    headers: admin,
    payload: { version: 999 },
  });
  assert.equal(missing.statusCode, 404);
  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/settings/decision/rollback',
    headers: admin,
    payload: { version: 'one' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].path, 'version');
  for (const [method, url, payload] of [
    ['GET', '/api/v1/settings/decision/versions', undefined],
    ['POST', '/api/v1/settings/decision/rollback', { version: 1 }],
  ] as const) {
    const r = await app.inject({
      method,
      url,
      payload,
      headers: { 'x-api-key': (await createApiKey(store, 'service', `svc-${method}`)).key },
    });
    assert.equal(r.statusCode, 403, `${method} ${url} is not for the service role`);
  }
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/settings/decision/rollback',
        headers: auditor,
        payload: { version: 1 },
      })
    ).statusCode,
    403,
  );
});
