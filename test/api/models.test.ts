/**
 * Model versions over the API: list with stages, promote, archive, put another in force live, roll back; audited,
 * kept across restarts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FOREST, GBDT_FEBRUARY, GBDT_JANUARY, writeModelVersions } from '../training/model-versions.ts';

const root = mkdtempSync(join(tmpdir(), 'fraudwatch-models-'));
const dir = join(root, 'models');
mkdirSync(dir);
writeModelVersions(dir);
const OLD = GBDT_JANUARY;
const NEW = GBDT_FEBRUARY;

const store = new SqliteStore(join(root, 'api.db'));
await store.migrate();
const engine = new Engine({ labelDelayMs: 0 });
const service = new DecisionService(engine, store, Date.now, 1000, new Metrics());
service.models = await ModelRegistry.open({ dir, engine, store });
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const) {
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
}
const as = (role: string): Record<string, string> => ({ 'x-api-key': keys[role]! });
after(async () => {
  await app.close();
  await store.close();
});

let seq = 0;
async function modelVersionOfNextDecision(): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: {
      transaction_id: `m-${++seq}`,
      timestamp: new Date().toISOString(),
      account_id: 'acct-models',
      amount: 40,
      currency: 'EUR',
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().decision.model_version;
}

const rollback = () =>
  app.inject({
    method: 'POST',
    url: '/api/v1/models/rollback',
    headers: as('admin'),
    payload: { kind: 'gbdt' },
  });

test('the newest artifacts are in force at start and listed with the others', async () => {
  const r = await app.inject({ method: 'GET', url: '/api/v1/models', headers: as('auditor') });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json().in_force, { gbdt: NEW, iforest: FOREST });
  assert.deepEqual(r.json().challengers, {});
  assert.equal(r.json().challenger_traffic, 0);
  assert.equal(r.json().auto_promote, false);
  assert.equal(r.json().live, null);
  assert.deepEqual(r.json().training, []);
  assert.deepEqual(
    r
      .json()
      .versions.map((v: { id: string; in_force: boolean; stage: string }) => [v.id, v.stage, v.in_force]),
    [
      [OLD, 'archived', false],
      [NEW, 'champion', true],
      [FOREST, 'champion', true],
    ],
  );
  for (const v of r.json().versions) {
    assert.equal(v.stage_changed_by, 'system', 'registered at start');
    assert.ok(!Number.isNaN(Date.parse(v.stage_changed_at)));
  }
  assert.match(await modelVersionOfNextDecision(), new RegExp(NEW));
});

test('one id per artifact: the decision carries the registry id, PUT /models/active takes it; every version shows its version and metrics', async () => {
  const carried = (await modelVersionOfNextDecision()).split('+');
  const listed = (await app.inject({ method: 'GET', url: '/api/v1/models', headers: as('auditor') })).json();
  const inForceIds = listed.versions
    .filter((v: { in_force: boolean }) => v.in_force)
    .map((v: { id: string }) => v.id);
  assert.deepEqual([...carried].sort(), [...inForceIds].sort(), 'model_version is made of the registry ids');
  for (const v of listed.versions) {
    assert.equal(v.version, v.id, `${v.id}: its version is shown, in force or not`);
    assert.equal(typeof v.created_at, 'string');
    if (v.kind === 'gbdt') {
      assert.ok(
        v.metrics.validation_auc > 0.5 && v.metrics.validation_auc <= 1,
        `${v.id}: ${JSON.stringify(v.metrics)}`,
      );
      assert.ok(v.training.rows > 0);
    } else {
      // Trained without labels; its metrics are how it ranks the labelled rows.
      assert.ok(
        v.metrics.labelled_auc > 0 && v.metrics.labelled_auc <= 1,
        `${v.id}: ${JSON.stringify(v.metrics)}`,
      );
      assert.ok(v.metrics.labelled_rows > 0);
    }
  }
  const january = listed.versions.find((v: { id: string }) => v.id === OLD);
  assert.equal(january.in_force, false);
  assert.equal(january.artifact_version, 'gbdt-january', 'the version written inside an older file is kept');
  const gbdtCarried = carried.find((c) => c.startsWith('gbdt-'))!;
  const same = await app.inject({
    method: 'PUT',
    url: '/api/v1/models/active',
    headers: as('admin'),
    payload: { kind: 'gbdt', version: gbdtCarried },
  });
  assert.equal(same.statusCode, 200, same.body);
  assert.equal(same.json().in_force.gbdt, gbdtCarried);
  // An older file's internal version, as decisions made before ids were one carry it, names the same artifact.
  const byAlias = await app.inject({
    method: 'PUT',
    url: '/api/v1/models/active',
    headers: as('admin'),
    payload: { kind: 'gbdt', version: 'gbdt-january' },
  });
  assert.equal(byAlias.statusCode, 200, byAlias.body);
  assert.equal(byAlias.json().in_force.gbdt, OLD);
  assert.match(await modelVersionOfNextDecision(), new RegExp(`^${OLD}\\+`));
  const back = await app.inject({
    method: 'PUT',
    url: '/api/v1/models/active',
    headers: as('admin'),
    payload: { kind: 'gbdt', version: NEW },
  });
  assert.equal(back.statusCode, 200, back.body);
});

test('a rollback is in force for the next decision, audited, and kept by the next start', async () => {
  const r = await rollback();
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().in_force.gbdt, OLD);
  assert.match(await modelVersionOfNextDecision(), new RegExp(OLD));
  const audit = await store.listAudit({ action: 'model_rollback' });
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.old_value, NEW);
  assert.equal(audit[0]!.new_value, OLD);
  assert.equal(audit[0]!.actor, 'admin-key');
  // A restart (or a worker started on this store) puts the stored champion in force, not the newest file.
  const restarted = new Engine({ labelDelayMs: 0 });
  const again = await ModelRegistry.open({ dir, engine: restarted, store });
  assert.deepEqual(again.active(), { gbdt: OLD, iforest: FOREST });
  // The champion before the February one was January's promotion, which this rollback undid: nothing older.
  const none = await rollback();
  assert.equal(none.statusCode, 409);
  assert.equal(none.json().error, 'no_previous');
});

test('a chosen version is put in force; an unknown or broken one is refused and nothing changes', async () => {
  const put = (payload: unknown) =>
    app.inject({
      method: 'PUT',
      url: '/api/v1/models/active',
      headers: as('admin'),
      payload: payload as object,
    });
  const ok = await put({ kind: 'gbdt', version: NEW });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.match(await modelVersionOfNextDecision(), new RegExp(NEW));
  const unknown = await put({ kind: 'gbdt', version: 'gbdt-1999' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().details[0].path, 'version');
  const wrongKind = await put({ kind: 'gbdt', version: FOREST });
  assert.equal(wrongKind.statusCode, 404, 'an isolation forest is not a gbdt version');
  assert.equal((await put({ kind: 'forest', version: NEW })).statusCode, 400);
  // A registered artifact whose file broke since is refused; the file found at no start is unknown.
  const intact = readFileSync(join(dir, `${OLD}.json`), 'utf8');
  writeFileSync(join(dir, `${OLD}.json`), '{"kind":"gbdt","trees":"no"}');
  try {
    const broken = await put({ kind: 'gbdt', version: OLD });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error, 'invalid_artifact');
    assert.equal(broken.json().details[0].path, 'version');
  } finally {
    writeFileSync(join(dir, `${OLD}.json`), intact);
  }
  writeFileSync(join(dir, 'gbdt-2026-03-01T00-00-00-000Z.json'), '{"kind":"gbdt","trees":"no"}');
  assert.equal((await put({ kind: 'gbdt', version: 'gbdt-2026-03-01T00-00-00-000Z' })).statusCode, 404);
  assert.match(await modelVersionOfNextDecision(), new RegExp(NEW), 'still the version in force');
  const listed = (await app.inject({ method: 'GET', url: '/api/v1/models', headers: as('admin') })).json();
  assert.equal(listed.in_force.gbdt, NEW);
});

test('model routes for every role: reading for analyst, admin, auditor; changes for admin; keys required', async () => {
  const routes: { method: 'GET' | 'PUT' | 'POST'; url: string; payload?: object; allowed: string[] }[] = [
    { method: 'GET' as const, url: '/api/v1/models', allowed: ['analyst', 'admin', 'auditor'] },
    {
      method: 'PUT' as const,
      url: '/api/v1/models/active',
      payload: { kind: 'iforest', version: FOREST },
      allowed: ['admin'],
    },
    { method: 'POST' as const, url: '/api/v1/models/rollback', payload: { kind: 'iforest' }, allowed: [] },
    // The only forest is the champion: promoting or archiving it is the route's own 409 for the admin.
    { method: 'POST' as const, url: `/api/v1/models/${FOREST}/promote`, allowed: [] },
    { method: 'POST' as const, url: `/api/v1/models/${FOREST}/archive`, allowed: [] },
  ];
  for (const route of routes) {
    for (const role of ['service', 'analyst', 'admin', 'auditor']) {
      const r = await app.inject({ ...route, headers: as(role) });
      const label = `${role} ${route.method} ${route.url}`;
      // The rollback of the only isolation forest is the route's own 409 for the admin; others are refused first.
      if (route.allowed.includes(role)) assert.ok(r.statusCode < 300, `${label}: ${r.statusCode}`);
      else if (role === 'admin') assert.equal(r.statusCode, 409, label);
      else assert.equal(r.statusCode, 403, label);
    }
    assert.equal(
      (await app.inject({ method: route.method, url: route.url, payload: route.payload })).statusCode,
      401,
    );
  }
});

test('a model change the audit trail cannot record is not made', async () => {
  const state = async () =>
    (await app.inject({ url: '/api/v1/models', headers: as('auditor') })).json() as {
      in_force: Record<string, string>;
      versions: { kind: string; id: string; in_force: boolean }[];
    };
  const before = await state();
  const other = before.versions.find((v) => v.kind === 'gbdt' && !v.in_force)!;
  const update = store.updateModelVersions.bind(store);
  store.updateModelVersions = async () => {
    throw new Error('audit trail unavailable');
  };
  try {
    const r = await app.inject({
      method: 'PUT',
      url: '/api/v1/models/active',
      headers: as('admin'),
      payload: { kind: 'gbdt', version: other.id },
    });
    assert.equal(r.statusCode, 500);
    const p = await app.inject({
      method: 'POST',
      url: `/api/v1/models/${other.id}/promote`,
      headers: as('admin'),
    });
    assert.equal(p.statusCode, 500);
  } finally {
    store.updateModelVersions = update;
  }
  assert.deepEqual((await state()).in_force, before.in_force, 'the model in force did not change');
  assert.equal(await modelVersionOfNextDecision(), await modelVersionOfNextDecision());
});

test('a trained pair is listed as challengers; promote makes one the champion, archive retires one; wrong stages are 409s naming the stage', async () => {
  const json = (id: string) => JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  const MARCH = 'gbdt-2026-03-15T00-00-00-000Z';
  const FOREST_MARCH = 'iforest-2026-03-15T00-00-00-000Z';
  await service.models!.registerTrained(
    { gbdt: { ...json(NEW), version: MARCH }, iforest: { ...json(FOREST), version: FOREST_MARCH } },
    'training',
    Date.now(),
  );
  const get = async () => (await app.inject({ url: '/api/v1/models', headers: as('analyst') })).json();
  const listed = await get();
  assert.deepEqual(listed.challengers, { gbdt: MARCH, iforest: FOREST_MARCH });
  assert.equal(listed.versions.find((v: { id: string }) => v.id === MARCH).stage, 'challenger');
  const decidedBy = await modelVersionOfNextDecision();
  assert.ok(!decidedBy.includes(MARCH), 'a challenger is not in force');

  const archived = await app.inject({
    method: 'POST',
    url: `/api/v1/models/${FOREST_MARCH}/archive`,
    headers: as('admin'),
  });
  assert.equal(archived.statusCode, 200, archived.body);
  assert.deepEqual(archived.json().challengers, { gbdt: MARCH });
  const again = await app.inject({
    method: 'POST',
    url: `/api/v1/models/${FOREST_MARCH}/archive`,
    headers: as('admin'),
  });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error, 'wrong_stage');
  assert.match(again.json().message, /is archived already/);

  const promoted = await app.inject({
    method: 'POST',
    url: `/api/v1/models/${MARCH}/promote`,
    headers: as('admin'),
  });
  assert.equal(promoted.statusCode, 200, promoted.body);
  assert.equal(promoted.json().in_force.gbdt, MARCH);
  assert.deepEqual(promoted.json().challengers, {});
  assert.match(await modelVersionOfNextDecision(), new RegExp(`^${MARCH}\\+`));
  const [entry] = await store.listAudit({ action: 'model_promote', order: 'desc', limit: 1 });
  assert.equal(entry!.new_value, MARCH);
  assert.equal(entry!.actor, 'admin-key');
  assert.equal(entry!.note, 'was challenger');
  const twice = await app.inject({
    method: 'POST',
    url: `/api/v1/models/${MARCH}/promote`,
    headers: as('admin'),
  });
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().message, /already the champion of gbdt/);
  const unknown = await app.inject({
    method: 'POST',
    url: '/api/v1/models/gbdt-1999/promote',
    headers: as('admin'),
  });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().details[0].path, 'version');
  // An archived version comes back by promotion too.
  const back = await app.inject({
    method: 'POST',
    url: `/api/v1/models/${NEW}/promote`,
    headers: as('admin'),
  });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().in_force.gbdt, NEW);
});
