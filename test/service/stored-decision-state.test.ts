/**
 * Decision settings and rules as the store keeps them, on both stores: a change survives a restart, a second
 * process on the same store follows it within the poll interval, the shipped rules are a version from the
 * first start on.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadDefaultRules, compileRules } from '../../src/engine/rules/index.ts';
import type { DecisionService } from '../../src/service/decision-service.ts';
import { openDecisionService } from '../../src/service/open-service.ts';

const FOLLOW_MS = 50;
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_stored_state_${process.pid}_${Date.now()}`;

/** A PostgreSQL URL on a schema of this run's own, or why there is none. */
async function postgresUrl(): Promise<string | { unavailable: string }> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (e) {
    return { unavailable: `PostgreSQL at ${base} is unreachable: ${(e as Error).message}` };
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

const pgUrl = await postgresUrl();
after(async () => {
  if (typeof pgUrl !== 'string') return;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end().catch(() => undefined);
  }
});

/** Opens a process's service as `serve` and `worker` do, on the embedded store in `dataDir` or on PostgreSQL. */
async function openProcess(dataDir: string, databaseUrl: string | undefined): Promise<DecisionService> {
  const service = await openDecisionService({
    dataDir,
    models: false,
    databaseUrl,
    followIntervalMs: FOLLOW_MS,
    log: () => undefined,
  });
  await service.rebuild?.finishedPromise;
  return service;
}

async function closeProcess(service: DecisionService): Promise<void> {
  service.stored.stopFollowing();
  await service.store.close();
}

/** Waits (up to `withinMs`) until `check` holds; fails naming what did not happen. */
async function eventually(what: string, check: () => boolean, withinMs = 20 * FOLLOW_MS): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) assert.fail(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

const stores: { name: string; databaseUrl: () => string | undefined; unavailable: string | null }[] = [
  { name: 'embedded (SQLite)', databaseUrl: () => undefined, unavailable: null },
  {
    name: 'PostgreSQL',
    databaseUrl: () => pgUrl as string,
    unavailable: typeof pgUrl === 'string' ? null : pgUrl.unavailable,
  },
];

for (const { name, databaseUrl, unavailable } of stores) {
  test(`${name}: settings and rules are kept across a restart and followed by a second process`, async (t) => {
    if (unavailable !== null) {
      if (process.env.CI === 'true') assert.fail(`${name} is required in CI: ${unavailable}`);
      console.warn(`\n*** ${name} SKIPPED: ${unavailable} ***\n`);
      t.skip(unavailable);
      return;
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-stored-state-'));
    const shipped = loadDefaultRules();
    const server = await openProcess(dataDir, databaseUrl());
    const worker = await openProcess(dataDir, databaseUrl());
    try {
      // First start: the shipped rules are recorded once, however many processes started.
      const recorded = await server.store.listRuleVersions(10);
      assert.deepEqual(
        recorded.map((v) => [v.version, v.published_by]),
        [[shipped.version, 'system']],
      );
      const defaults = server.engine.decisionSettings;
      const changed = await server.stored.changeSettings(
        {
          ...defaults,
          thresholds: { review: 0.42, block_and_review: 0.7, decline: 0.93 },
          bypass: true,
          bypass_score: 0.2,
        },
        'alice',
        'settings_change',
      );
      assert.equal(server.engine.decisionSettings.thresholds.review, 0.42);
      const waited = await eventually(
        'the worker follows the settings change',
        () => worker.engine.decisionSettings.thresholds.review === 0.42,
      );
      assert.deepEqual(worker.engine.decisionSettings, changed);
      assert.equal(worker.stored.settingsVersion, server.stored.settingsVersion);
      assert.ok(waited < 20 * FOLLOW_MS, `followed in ${waited} ms`);

      const next = compileRules({ ...shipped.document, version: `${shipped.version}-next` });
      assert.ok(next.ok);
      const published = await server.stored.publishRules(next.value, next.value.document, 'alice');
      assert.equal(published.kind, 'published');
      await eventually(
        'the worker follows the rules publish',
        () => worker.engine.rulesVersion === next.value.version,
      );

      // A rollback to the shipped rules, recorded at first start, works after a publish and is followed too.
      const back = await server.stored.rollbackRules(shipped.version, 'alice');
      assert.equal(back?.version, shipped.version);
      assert.equal(server.engine.rulesVersion, shipped.version);
      await eventually(
        'the worker follows the rollback',
        () => worker.engine.rulesVersion === shipped.version,
      );
    } finally {
      await closeProcess(worker);
      await closeProcess(server);
    }

    // A restart (of either) starts with what was stored, not with the defaults.
    const restarted = await openProcess(dataDir, databaseUrl());
    try {
      assert.equal(restarted.engine.decisionSettings.thresholds.review, 0.42, 'review is not 0.5 again');
      assert.equal(restarted.engine.decisionSettings.bypass, true);
      assert.equal(restarted.engine.decisionSettings.bypass_score, 0.2);
      assert.equal(restarted.engine.rulesVersion, shipped.version);
      assert.equal(
        (await restarted.store.listRuleVersions(10)).filter((v) => v.published_by === 'system').length,
        1,
        'the shipped rules are recorded at the first start only',
      );
      const actions = (await restarted.store.listAudit({})).map((e) => e.action);
      for (const action of ['rules_initial', 'settings_change', 'rules_publish', 'rules_rollback'])
        assert.ok(actions.includes(action), `${action} audited: ${actions.join(', ')}`);
    } finally {
      await closeProcess(restarted);
    }
  });
}
