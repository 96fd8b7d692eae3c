/**
 * Model stages (issue 13): registration of what the models directory holds, promotion (manual and automatic),
 * archiving, rollback, trained artifacts as challengers, and processes following a promotion through the store:
 * the embedded store, and two processes on one PostgreSQL schema with different models directories.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Engine } from '../../src/engine/engine.ts';
import type { LiveModelReport } from '../../src/service/live-model-metrics.ts';
import type { ModelRegistryError } from '../../src/service/model-registry.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionStore } from '../../src/store/types.ts';
import { FOREST, GBDT_FEBRUARY, GBDT_JANUARY, writeModelVersions } from '../training/model-versions.ts';

const GBDT_MARCH = 'gbdt-2026-03-01T00-00-00-000Z';
const FOREST_MARCH = 'iforest-2026-03-01T00-00-00-000Z';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One training for the whole file: every directory is a copy of this one.
const source = mkdtempSync(join(tmpdir(), 'fraudwatch-registry-src-'));
writeModelVersions(source);

function modelsDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fraudwatch-registry-')), 'models');
  mkdirSync(dir);
  for (const f of readdirSync(source)) copyFileSync(join(source, f), join(dir, f));
  return dir;
}

/** Writes artifact `id` as a copy of `from` (same model, its own version), as `fraudwatch train` would. */
function addArtifact(dir: string, from: string, id: string): void {
  const json = JSON.parse(readFileSync(join(source, `${from}.json`), 'utf8'));
  writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...json, version: id }));
}

async function sqliteStore(): Promise<SqliteStore> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-registry-db-')), 'f.db'));
  await store.migrate();
  return store;
}

let seq = 0;
function versionOf(engine: Engine): string | null {
  return engine.score({
    transaction_id: `t-${++seq}`,
    timestamp: Date.UTC(2026, 2, 1),
    account_id: 'a',
    amount: 10,
    currency: 'EUR',
  }).model_version;
}

async function open(store: DecisionStore, dir: string, log: string[] = []) {
  const engine = new Engine({ labelDelayMs: 0 });
  const registry = await ModelRegistry.open({ dir, engine, store, log: (l) => log.push(l), now: () => 1000 });
  return { engine, registry, log };
}

const stages = async (store: DecisionStore) =>
  Object.fromEntries((await store.listModelVersions()).map((v) => [v.id, v.stage]));

const challengerIds = (engine: Engine) => engine.challengerSlots?.map((s) => s.model!.version) ?? null;

test('first start: the newest of each kind are the champions, the rest archived; files found later are challengers, never in force', async () => {
  const store = await sqliteStore();
  const dir = modelsDir();
  const first = await open(store, dir);
  assert.deepEqual(await stages(store), {
    [GBDT_JANUARY]: 'archived',
    [GBDT_FEBRUARY]: 'champion',
    [FOREST]: 'champion',
  });
  assert.equal(versionOf(first.engine), `${GBDT_FEBRUARY}+${FOREST}`);
  assert.equal(first.engine.challengerSlots, null, 'no challenger');
  const registered = await store.listAudit({ action: 'model_registered' });
  assert.deepEqual(registered.map((a) => a.new_value).sort(), [GBDT_JANUARY, GBDT_FEBRUARY, FOREST].sort());
  assert.ok(registered.every((a) => a.actor === 'system'));

  // `fraudwatch train` wrote a new pair, and someone dropped a broken file: the next start registers the pair
  // as challengers (scored in the shadow), refuses the broken file, and keeps the champions in force.
  addArtifact(dir, GBDT_FEBRUARY, GBDT_MARCH);
  addArtifact(dir, FOREST, FOREST_MARCH);
  writeFileSync(join(dir, 'gbdt-2026-04-01T00-00-00-000Z.json'), '{"kind":"gbdt","trees":"no"}');
  const next = await open(store, dir);
  assert.equal((await stages(store))[GBDT_MARCH], 'challenger');
  assert.equal((await stages(store))[FOREST_MARCH], 'challenger');
  assert.equal((await stages(store))['gbdt-2026-04-01T00-00-00-000Z'], undefined);
  assert.ok(next.log.some((l) => l.includes('gbdt-2026-04-01T00-00-00-000Z: not registered')));
  assert.equal(versionOf(next.engine), `${GBDT_FEBRUARY}+${FOREST}`, 'the champions decide');
  assert.deepEqual(challengerIds(next.engine), [GBDT_MARCH, FOREST_MARCH]);
  assert.deepEqual(next.registry.challengers(), { gbdt: GBDT_MARCH, iforest: FOREST_MARCH });
  // A third start finds nothing new.
  await open(store, dir);
  assert.equal((await store.listAudit({ action: 'model_registered' })).length, 5);
  await store.close();
});

test("at first start active.json's choice is the champion, and the files before it are the champions a rollback walks back", async () => {
  const store = await sqliteStore();
  const dir = modelsDir();
  writeFileSync(join(dir, 'active.json'), JSON.stringify({ gbdt: GBDT_JANUARY }));
  const { engine, registry } = await open(store, dir);
  assert.deepEqual(await stages(store), {
    [GBDT_JANUARY]: 'champion',
    [GBDT_FEBRUARY]: 'archived',
    [FOREST]: 'champion',
  });
  assert.equal(versionOf(engine), `${GBDT_JANUARY}+${FOREST}`);
  await assert.rejects(registry.rollback('gbdt', 'alice'), { reason: 'no_previous' });
  await store.close();
});

test('promote, archive and roll back: each in force for the next decision, audited with the stage change, wrong stages refused by name', async () => {
  const store = await sqliteStore();
  const dir = modelsDir();
  addArtifact(dir, GBDT_FEBRUARY, GBDT_MARCH);
  writeFileSync(join(dir, 'active.json'), JSON.stringify({ gbdt: GBDT_FEBRUARY }));
  const { engine, registry } = await open(store, dir);
  // March is newer than the champion chosen at first start: archived, promotable.
  assert.equal((await stages(store))[GBDT_MARCH], 'archived');
  assert.deepEqual(await registry.promote(GBDT_MARCH, 'alice'), { before: GBDT_FEBRUARY, after: GBDT_MARCH });
  assert.equal(versionOf(engine), `${GBDT_MARCH}+${FOREST}`);
  assert.equal((await stages(store))[GBDT_FEBRUARY], 'archived');
  const promoted = await store.listAudit({ action: 'model_promote' });
  assert.deepEqual(
    promoted.map((a) => [a.actor, a.old_value, a.new_value, a.note]),
    [['alice', GBDT_FEBRUARY, GBDT_MARCH, 'was archived']],
  );
  const march = (await registry.list()).find((v) => v.id === GBDT_MARCH)!;
  assert.equal(march.stage, 'champion');
  assert.equal(march.in_force, true);
  assert.equal(march.stage_changed_by, 'alice');
  assert.equal(march.stage_changed_at, new Date(1000).toISOString());
  assert.ok(march.metrics.validation_auc! > 0.5);

  await assert.rejects(registry.promote(GBDT_MARCH, 'alice'), (e: ModelRegistryError) => {
    assert.equal(e.reason, 'wrong_stage');
    assert.match(e.message, /already the champion of gbdt/);
    return true;
  });
  assert.deepEqual(await registry.promote(GBDT_MARCH, 'alice', { idempotent: true }), {
    before: GBDT_MARCH,
    after: GBDT_MARCH,
  });
  await assert.rejects(registry.archive(GBDT_MARCH, 'alice'), /is the champion; only a challenger/);
  await assert.rejects(registry.archive(GBDT_JANUARY, 'alice'), /is archived already/);
  await assert.rejects(registry.promote('gbdt-1999', 'alice'), { reason: 'not_found' });
  await assert.rejects(registry.promote(FOREST, 'alice', { kind: 'gbdt' }), { reason: 'not_found' });
  await assert.rejects(registry.rollback('forest', 'alice'), { reason: 'unknown_kind' });
  // An older file's internal version names the same artifact.
  assert.equal((await registry.promote('gbdt-january', 'alice')).after, GBDT_JANUARY);

  // Rollbacks walk back the champions: January's promotion replaced March, March's February.
  assert.deepEqual(await registry.rollback('gbdt', 'bob'), { before: GBDT_JANUARY, after: GBDT_MARCH });
  assert.equal(versionOf(engine), `${GBDT_MARCH}+${FOREST}`);
  assert.deepEqual(await registry.rollback('gbdt', 'bob'), { before: GBDT_MARCH, after: GBDT_FEBRUARY });
  await assert.rejects(registry.rollback('gbdt', 'bob'), { reason: 'no_previous' });
  assert.deepEqual(
    (await store.listAudit({ action: 'model_rollback' })).map((a) => [a.old_value, a.new_value]),
    [
      [GBDT_JANUARY, GBDT_MARCH],
      [GBDT_MARCH, GBDT_FEBRUARY],
    ],
  );

  // A broken artifact is refused before anything is written; what is in force stays.
  writeFileSync(join(dir, `${GBDT_JANUARY}.json`), '{"kind":"gbdt","trees":"no"}');
  await assert.rejects(registry.promote(GBDT_JANUARY, 'alice'), { reason: 'invalid_artifact' });
  assert.equal((await stages(store))[GBDT_JANUARY], 'archived');
  assert.equal(versionOf(engine), `${GBDT_FEBRUARY}+${FOREST}`);

  // A stage change whose audit entry cannot be written is not made.
  const update = store.updateModelVersions.bind(store);
  store.updateModelVersions = async () => {
    throw new Error('audit trail unavailable');
  };
  try {
    await assert.rejects(registry.promote(GBDT_MARCH, 'alice'), /audit trail unavailable/);
  } finally {
    store.updateModelVersions = update;
  }
  assert.equal(versionOf(engine), `${GBDT_FEBRUARY}+${FOREST}`);
  await store.close();
});

test('trained artifacts are registered as challengers (the older challenger archived), in the shadow set, audited', async () => {
  const store = await sqliteStore();
  const dir = modelsDir();
  const { engine, registry } = await open(store, dir);
  const json = (id: string) => JSON.parse(readFileSync(join(source, `${id}.json`), 'utf8'));
  const trained = (month: string) => ({
    gbdt: { ...json(GBDT_FEBRUARY), version: `gbdt-2026-${month}-01T00-00-00-000Z` },
    iforest: { ...json(FOREST), version: `iforest-2026-${month}-01T00-00-00-000Z` },
  });
  const ids = await registry.registerTrained(trained('05'), 'training', 5000);
  assert.deepEqual(ids, ['iforest-2026-05-01T00-00-00-000Z', 'gbdt-2026-05-01T00-00-00-000Z']);
  assert.equal(versionOf(engine), `${GBDT_FEBRUARY}+${FOREST}`, 'never straight into force');
  assert.deepEqual(challengerIds(engine), [
    'gbdt-2026-05-01T00-00-00-000Z',
    'iforest-2026-05-01T00-00-00-000Z',
  ]);
  // June's pair replaces May's as the challengers; archiving June's forest leaves the champion forest in its place.
  await registry.registerTrained(trained('06'), 'training', 6000);
  assert.equal((await stages(store))['gbdt-2026-05-01T00-00-00-000Z'], 'archived');
  assert.equal((await stages(store))['iforest-2026-05-01T00-00-00-000Z'], 'archived');
  assert.deepEqual(challengerIds(engine), [
    'gbdt-2026-06-01T00-00-00-000Z',
    'iforest-2026-06-01T00-00-00-000Z',
  ]);
  await registry.archive('iforest-2026-06-01T00-00-00-000Z', 'alice');
  assert.deepEqual(
    challengerIds(engine),
    ['gbdt-2026-06-01T00-00-00-000Z', FOREST],
    'the champion forest stands in',
  );
  await registry.archive('gbdt-2026-06-01T00-00-00-000Z', 'alice');
  assert.equal(engine.challengerSlots, null);
  const audited = await store.listAudit({ action: 'model_registered', actor: 'training' });
  assert.equal(audited.length, 4);
  assert.ok(audited.every((a) => a.note === 'challenger' && a.at >= 5000));
  const listed = (await registry.list()).find((v) => v.id === 'gbdt-2026-05-01T00-00-00-000Z')!;
  assert.equal(listed.created_at, new Date(5000).toISOString());
  assert.equal(listed.stage_changed_by, 'training');
  await store.close();
});

test('automatic promotion: the challenger set replaces the champions when it beats them on AP over enough labels', async () => {
  const store = await sqliteStore();
  const dir = modelsDir();
  const { engine, registry } = await open(store, dir);
  const json = (id: string) => JSON.parse(readFileSync(join(source, `${id}.json`), 'utf8'));
  await registry.registerTrained(
    {
      gbdt: { ...json(GBDT_FEBRUARY), version: GBDT_MARCH },
      iforest: { ...json(FOREST), version: FOREST_MARCH },
    },
    'training',
    2000,
  );
  const sets = registry.setVersions();
  assert.deepEqual(sets, {
    champion: `${GBDT_FEBRUARY}+${FOREST}`,
    challenger: `${GBDT_MARCH}+${FOREST_MARCH}`,
  });
  const figures = (model_version: string, labels: number, ap: number) => ({
    model_version,
    role: 'other' as const,
    decisions: 1000,
    alert_rate: 0.05,
    labels,
    positives: 20,
    auc: 0.9,
    average_precision: ap,
    precision: null,
    recall: null,
  });
  const report = (challengerLabels: number): LiveModelReport => ({
    computed_at: 1000,
    from: 0,
    to: 1000,
    review_threshold: 0.5,
    models: [figures(sets.champion!, 400, 0.55), figures(sets.challenger!, challengerLabels, 0.62)],
    daily: [],
  });
  assert.equal((await registry.autoPromote(report(150), 200)).promote, false);
  assert.equal(versionOf(engine), sets.champion);
  const verdict = await registry.autoPromote(report(300), 200);
  assert.equal(verdict.promote, true, verdict.reason);
  assert.equal(versionOf(engine), sets.challenger, 'the challenger set decides from the next decision');
  assert.equal(engine.challengerSlots, null);
  const [entry, ...more] = await store.listAudit({ action: 'model_auto_promote' });
  assert.equal(more.length, 0);
  assert.equal(entry!.actor, 'auto-promote');
  assert.equal(entry!.old_value, sets.champion);
  assert.equal(entry!.new_value, sets.challenger);
  assert.match(entry!.note!, /AP 0\.6200 over 300 labels.*AP 0\.5500 over 400 labels/);
  // The same report again: its sets are no longer champion and challenger, nothing happens.
  assert.equal((await registry.autoPromote(report(300), 200)).promote, false);
  assert.equal(
    (await registry.rollback('gbdt', 'alice')).after,
    GBDT_FEBRUARY,
    'rolled back like any promotion',
  );
  await store.close();
});

test('the embedded store: a second process on the data directory follows a promotion within the interval', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fraudwatch-registry-db-')), 'f.db');
  const a = new SqliteStore(path);
  await a.migrate();
  const b = new SqliteStore(path);
  const dir = modelsDir();
  const server = await open(a, dir);
  const worker = await open(b, dir);
  const stop = worker.registry.follow(20);
  try {
    await server.registry.promote(GBDT_JANUARY, 'alice');
    await sleep(300);
    assert.equal(versionOf(worker.engine), `${GBDT_JANUARY}+${FOREST}`);
  } finally {
    stop();
    await a.close();
    await b.close();
  }
});

// PostgreSQL: a real server, a schema of this run's own.
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_registry_${process.pid}_${Date.now()}`;
const pgStores: PostgresStore[] = [];
after(async () => {
  for (const s of pgStores) await s.close();
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // unreachable: nothing was created
  } finally {
    await admin.end().catch(() => undefined);
  }
});

async function postgresStore(): Promise<PostgresStore | string> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (e) {
    return `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const store = new PostgresStore(url.toString(), 2);
  pgStores.push(store);
  await store.migrate();
  return store;
}

test('PostgreSQL: a process on another machine (empty models directory) loads the versions from the table and follows a promotion', async (t) => {
  const a = await postgresStore();
  if (typeof a === 'string') {
    if (process.env.CI === 'true') assert.fail(`PostgreSQL is required in CI: ${a}`);
    t.skip(a);
    return;
  }
  const b = (await postgresStore()) as PostgresStore;
  const dir = modelsDir();
  const server = await open(a, dir);
  assert.ok(
    (await a.listModelVersions()).every((v) => v.has_artifact),
    'the artifacts are in the table',
  );
  const elsewhere = join(mkdtempSync(join(tmpdir(), 'fraudwatch-registry-other-')), 'models');
  const worker = await open(b, elsewhere);
  const stopWorker = worker.registry.follow(20);
  // Both follow, as serve and worker do: the one whose promotion another process beat catches up by following.
  const stopServer = server.registry.follow(20);
  const stop = () => {
    stopWorker();
    stopServer();
  };
  try {
    assert.equal(versionOf(worker.engine), `${GBDT_FEBRUARY}+${FOREST}`, 'loaded from the table');
    assert.ok(readdirSync(elsewhere).includes(`${GBDT_FEBRUARY}.json`), 'with a copy for the drift command');
    // A challenger registered through the server is scored in the worker's shadow too.
    const json = (id: string) => JSON.parse(readFileSync(join(source, `${id}.json`), 'utf8'));
    await server.registry.registerTrained(
      {
        gbdt: { ...json(GBDT_FEBRUARY), version: GBDT_MARCH },
        iforest: { ...json(FOREST), version: FOREST_MARCH },
      },
      'training',
      3000,
    );
    await eventually(() => assert.deepEqual(challengerIds(worker.engine), [GBDT_MARCH, FOREST_MARCH]));
    // The admin promotes on the server; the worker decides with it within the follow interval.
    await server.registry.promote(GBDT_MARCH, 'alice');
    await eventually(() => assert.equal(versionOf(worker.engine), `${GBDT_MARCH}+${FOREST}`));
    assert.deepEqual(
      challengerIds(worker.engine),
      [GBDT_MARCH, FOREST_MARCH],
      "the forest's challenger stays",
    );
    // Both act on what they read; the second promotion of the same version is refused, not applied twice.
    const results = await Promise.allSettled([
      server.registry.promote(GBDT_JANUARY, 'alice'),
      worker.registry.promote(GBDT_JANUARY, 'bob'),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const promotions = await a.listAudit({ action: 'model_promote' });
    assert.equal(promotions.filter((e) => e.new_value === GBDT_JANUARY).length, 1, 'audited once');
    await eventually(() => assert.equal(versionOf(worker.engine), `${GBDT_JANUARY}+${FOREST}`));
    await eventually(() => assert.equal(versionOf(server.engine), `${GBDT_JANUARY}+${FOREST}`));
  } finally {
    stop();
  }
});

/** Retries `check` until it passes or 10 s are up (a loaded machine runs the 20 ms follow timer late). */
async function eventually(check: () => void): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
}
