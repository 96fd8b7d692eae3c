import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { LATEST_SCHEMA, MIGRATIONS } from '../../src/store/migrations.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

test('a database at a previous schema version is brought up to date with its rows intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-migrate-'));
  const path = join(dir, 'fraudwatch.db');
  // Build a version-1 database by hand, as an older release would have left it.
  const old = new Database(path);
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  old.exec(MIGRATIONS[0]!.sql.sqlite);
  old.prepare('INSERT INTO schema_migrations VALUES (1, 0)').run();
  old
    .prepare(
      `INSERT INTO transactions VALUES ('old-1', 'a', NULL, 5, 0, '{"transaction_id":"old-1","timestamp":0,"account_id":"a","amount":5,"currency":"EUR"}',
       'h', 0.7, 'review', '{"transaction_id":"old-1","score":0.7,"outcome":"review","reasons":[]}', 'open', 0, 0)`,
    )
    .run();
  // Before the case model every row started `open`, approved and declined ones too.
  for (const [id, outcome] of [
    ['old-2', 'approve'],
    ['old-3', 'decline'],
  ] as const) {
    old
      .prepare(`INSERT INTO transactions VALUES (?, 'a', NULL, 5, 0, ?, 'h', 0.1, ?, ?, 'open', 0, 0)`)
      .run(
        id,
        JSON.stringify({ transaction_id: id, timestamp: 0, account_id: 'a', amount: 5, currency: 'EUR' }),
        outcome,
        JSON.stringify({ transaction_id: id, score: 0.1, outcome, reasons: [], model_version: `gbdt-${id}` }),
      );
  }
  old.close();
  const cli = spawnSync(process.execPath, ['bin/fraudwatch.js', 'migrate', '--data-dir', dir], {
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`embedded store at schema version ${LATEST_SCHEMA}`));
  const store = new SqliteStore(path);
  assert.equal(await store.migrate(), LATEST_SCHEMA, 'nothing left to apply');
  const [recent] = await store.recentDecisions(1);
  assert.equal(recent?.features, null, 'an old row has no stored features');
  assert.equal((await store.getTransaction('old-1'))?.decision.outcome, 'review');
  assert.equal((await store.getTransaction('old-1'))?.status, 'open', 'a review stays an open case');
  assert.equal((await store.getTransaction('old-2'))?.status, 'none', 'an approval has no case');
  assert.equal((await store.getTransaction('old-3'))?.status, 'decided', 'a decline is decided');
  assert.deepEqual(await store.listApiKeys(), [], 'the new tables exist');
  // Migration 11 copied each decision's model version into its column; none decided by a challenger.
  assert.deepEqual(
    (await store.modelScoresBetween(0, 1, null, 10)).map((r) => [
      r.transaction_id,
      r.model_version,
      r.decided_by,
    ]),
    [
      ['old-1', null, 'champion'],
      ['old-2', 'gbdt-old-2', 'champion'],
      ['old-3', 'gbdt-old-3', 'champion'],
    ],
  );
  await store.close();
});

test('a PostgreSQL database at a previous schema version is brought up to date with its rows intact', async (t) => {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `fraudwatch_migrate_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    const why = `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(`required in CI: ${why}`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  try {
    // Schema version 2, as a release before rule versions and stored features would have left it.
    await admin.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
    await admin.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    for (const m of MIGRATIONS.slice(0, 2)) {
      await admin.query(m.sql.postgres);
      await admin.query('INSERT INTO schema_migrations VALUES ($1, 0)', [m.version]);
    }
    await admin.query(
      `INSERT INTO transactions VALUES ('old-pg', 'a', NULL, 5, 0,
        '{"transaction_id":"old-pg","timestamp":0,"account_id":"a","amount":5,"currency":"EUR"}', 'h', 0.7, 'review',
        '{"transaction_id":"old-pg","score":0.7,"outcome":"review","reasons":[]}', 'open', 0, 0),
        ('old-pg-2', 'a', NULL, 5, 0,
        '{"transaction_id":"old-pg-2","timestamp":0,"account_id":"a","amount":5,"currency":"EUR"}', 'h', 0.2, 'approve',
        '{"transaction_id":"old-pg-2","score":0.2,"outcome":"approve","reasons":[],"model_version":"gbdt-old"}', 'open', 0, 0)`,
    );
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = new PostgresStore(url.toString(), 2);
    try {
      assert.equal(await store.migrate(), LATEST_SCHEMA);
      assert.equal((await store.getTransaction('old-pg'))?.decision.outcome, 'review');
      assert.deepEqual(await store.listRuleVersions(10), [], 'the new tables exist');
      assert.equal((await store.recentDecisions(1))[0]?.features, null);
      assert.deepEqual(
        (await store.modelScoresBetween(0, 1, null, 10)).map((r) => [r.transaction_id, r.model_version]),
        [
          ['old-pg', null],
          ['old-pg-2', 'gbdt-old'],
        ],
        'migration 11 copied the model version into its column',
      );
      const { rows } = await admin.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
});
