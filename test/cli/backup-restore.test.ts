/**
 * `fraudwatch backup` and `restore` on real stores: an embedded backup taken while a real serve takes traffic
 * restores into a new data dir table for table (counts and a checksum of every table), with its model files;
 * an older schema's backup is migrated on restore; a store holding data is replaced only with --force; and
 * PostgreSQL goes through pg_dump and pg_restore.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LATEST_SCHEMA, MIGRATIONS } from '../../src/store/migrations.ts';
import { createKey, freePort, startServe } from '../web/serve-process.ts';

const BIN = 'bin/fraudwatch.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  if (env.DATABASE_URL === undefined) delete merged.DATABASE_URL;
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: merged });
}

/** The same command without blocking this process (the load keeps going meanwhile). */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

/** Rows and a SHA-256 over every row (in key order) of each of the store's tables. */
function tableDigests(path: string): Record<string, { rows: number; sha256: string }> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'fraudwatch_backup_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((t) => {
        const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().all();
        const sha256 = createHash('sha256')
          .update(JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))
          .digest('hex');
        return [t, { rows: rows.length, sha256 }];
      }),
    );
  } finally {
    db.close();
  }
}

test('an embedded backup taken under load restores table for table, with the model files', async () => {
  const source = mkdtempSync(join(tmpdir(), 'fraudwatch-backup-src-'));
  const service = createKey(source, 'service', 'loader');
  mkdirSync(join(source, 'models'));
  const artifact = JSON.stringify({ kind: 'gbdt', version: 'gbdt-backup-test' });
  writeFileSync(join(source, 'models', 'gbdt-backup-test.json'), artifact);
  const served = await startServe(source, await freePort());
  let posting = true;
  let posted = 0;
  const load = async (lane: number) => {
    for (let i = 0; posting; i++) {
      const response = await fetch(`${served.url}/api/v1/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': service },
        body: JSON.stringify({
          transaction_id: `load-${lane}-${i}`,
          account_id: `acct-${i % 50}`,
          amount: 5 + (i % 300),
          timestamp: Date.now(),
        }),
      });
      assert.equal(response.status, 201, await response.text());
      posted++;
    }
  };
  try {
    const lanes = [0, 1, 2, 3].map(load);
    while (posted < 200) await new Promise((r) => setTimeout(r, 20));
    const out = join(mkdtempSync(join(tmpdir(), 'fraudwatch-backup-out-')), 'nightly.db');
    const backup = await cliAsync(['backup', '--out', out, '--data-dir', source, '--json']);
    const postedAfterBackup = posted;
    await new Promise((r) => setTimeout(r, 200)); // the load goes on past the backup
    posting = false;
    await Promise.all(lanes);
    assert.equal(backup.status, 0, backup.stderr);
    const summary = JSON.parse(backup.stdout) as { tables: Record<string, number>; files: string[] };
    assert.deepEqual(summary.files, ['models/gbdt-backup-test.json']);
    assert.ok(summary.tables.transactions! >= 200, `backed up ${summary.tables.transactions} transactions`);
    assert.ok(summary.tables.transactions! <= postedAfterBackup, 'nothing from after the backup');

    const target = join(mkdtempSync(join(tmpdir(), 'fraudwatch-backup-dst-')), 'data');
    const restore = cli(['restore', out, '--data-dir', target, '--json']);
    assert.equal(restore.status, 0, restore.stderr);
    assert.equal((JSON.parse(restore.stdout) as { schema_version: number }).schema_version, LATEST_SCHEMA);
    const restored = tableDigests(join(target, 'fraudwatch.db'));
    assert.deepEqual(restored, tableDigests(out), 'every table as it was backed up');
    assert.equal(restored.transactions!.rows, summary.tables.transactions);
    assert.equal(readFileSync(join(target, 'models', 'gbdt-backup-test.json'), 'utf8'), artifact);
    // the restored trail is the source's, hash chain intact
    const verify = cli(['audit', 'verify', '--data-dir', target]);
    assert.equal(verify.status, 0, verify.stderr);

    // A store that holds data is replaced only with --force, and is untouched by the refusal.
    const before = tableDigests(join(target, 'fraudwatch.db'));
    createKey(target, 'analyst', 'after-restore');
    const changed = tableDigests(join(target, 'fraudwatch.db'));
    const again = cli(['restore', out, '--data-dir', target]);
    assert.equal(again.status, 1);
    assert.match(
      again.stderr,
      /--data-dir: .* holds a store \(.*api_keys 2, .*\); restore replaces it only with --force/,
    );
    assert.deepEqual(tableDigests(join(target, 'fraudwatch.db')), changed, 'the refusal changed nothing');
    const forced = cli(['restore', out, '--data-dir', target, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(
      tableDigests(join(target, 'fraudwatch.db')),
      before,
      'the backup again, the later key gone',
    );
  } finally {
    posting = false;
    await served.stop();
  }
});

test('a backup of an older schema is migrated on restore, its rows intact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-backup-old-'));
  const old = new Database(join(dir, 'fraudwatch.db'));
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const m of MIGRATIONS.slice(0, 3)) {
    old.exec(m.sql.sqlite);
    old.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(m.version);
  }
  old
    .prepare(
      `INSERT INTO transactions (transaction_id, account_id, merchant_id, amount, occurred_at, payload, payload_hash, score, outcome, decision, status, decided_at, updated_at)
       VALUES ('old-1', 'a', NULL, 5, 0, '{"transaction_id":"old-1","timestamp":0,"account_id":"a","amount":5,"currency":"EUR"}',
       'h', 0.7, 'review', '{"transaction_id":"old-1","score":0.7,"outcome":"review","reasons":[]}', 'open', 0, 0)`,
    )
    .run();
  old.close();
  const out = join(dir, 'old-backup.db');
  const backup = cli(['backup', '--out', out, '--data-dir', dir]);
  assert.equal(backup.status, 0, backup.stderr);
  const target = mkdtempSync(join(tmpdir(), 'fraudwatch-backup-new-'));
  const restore = cli(['restore', out, '--data-dir', target]);
  assert.equal(restore.status, 0, restore.stderr);
  assert.match(restore.stdout, new RegExp(`schema version ${LATEST_SCHEMA}$`, 'm'));
  const db = new Database(join(target, 'fraudwatch.db'), { readonly: true });
  const versions = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get();
  const row = db.prepare("SELECT outcome, status FROM transactions WHERE transaction_id = 'old-1'").get();
  db.close();
  assert.equal(versions, LATEST_SCHEMA);
  assert.deepEqual(row, { outcome: 'review', status: 'open' });
});

test('bad input: an existing --out, a missing or foreign file, a missing store, each one line and exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-backup-bad-'));
  const noStore = cli(['backup', '--out', join(dir, 'b.db'), '--data-dir', join(dir, 'empty')]);
  assert.equal(noStore.status, 1);
  assert.match(noStore.stderr, /^fraudwatch: --data-dir: no embedded store in .*\n$/);
  assert.equal(existsSync(join(dir, 'b.db')), false);
  createKey(dir, 'admin', 'a');
  writeFileSync(join(dir, 'taken.db'), 'x');
  const taken = cli(['backup', '--out', join(dir, 'taken.db'), '--data-dir', dir]);
  assert.equal(taken.status, 1);
  assert.match(taken.stderr, /--out: .*taken\.db exists; a backup never overwrites one/);
  assert.equal(readFileSync(join(dir, 'taken.db'), 'utf8'), 'x');
  const missing = cli(['restore', join(dir, 'nope.db'), '--data-dir', join(dir, 'r')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /FILE: .*nope\.db does not exist/);
  const foreign = cli(['restore', join(dir, 'taken.db'), '--data-dir', join(dir, 'r')]);
  assert.equal(foreign.status, 1);
  assert.match(foreign.stderr, /FILE: .*taken\.db is not a fraudwatch backup/);
  const plainSqlite = join(dir, 'plain.db');
  new Database(plainSqlite).exec('CREATE TABLE t (x)');
  const notOurs = cli(['restore', plainSqlite, '--data-dir', join(dir, 'r')]);
  assert.equal(notOurs.status, 1);
  assert.match(notOurs.stderr, /is an SQLite file but not a fraudwatch backup/);
  assert.equal(existsSync(join(dir, 'r', 'fraudwatch.db')), false, 'nothing half-restored');
});

// PostgreSQL: databases of this run's own, dropped at the end.
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const databases: string[] = [];
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
async function newDatabase(tag: string): Promise<string> {
  const name = `fraudwatch_backup_${tag}_${process.pid}_${Date.now()}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
after(async () => {
  for (const name of databases)
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
});

test('PostgreSQL: pg_dump backup restores into an empty database; a second restore needs --force', async (t) => {
  let source: string;
  try {
    source = await newDatabase('src');
  } catch (e) {
    const why = `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(why);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  for (const name of ['a', 'b']) {
    const key = cli(['keys', 'create', '--role', 'analyst', '--name', name], { DATABASE_URL: source });
    assert.equal(key.status, 0, key.stderr);
  }
  const out = join(mkdtempSync(join(tmpdir(), 'fraudwatch-pgdump-')), 'pg.dump');
  const backup = cli(['backup', '--out', out], { DATABASE_URL: source });
  assert.equal(backup.status, 0, backup.stderr);
  assert.match(backup.stdout, /pg_dump custom format/);
  const target = await newDatabase('dst');
  const restore = cli(['restore', out], { DATABASE_URL: target });
  assert.equal(restore.status, 0, restore.stderr);
  const count = async (url: string, table: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    } finally {
      await client.end();
    }
  };
  for (const table of ['api_keys', 'audit', 'schema_migrations'])
    assert.equal(await count(target, table), await count(source, table), table);
  const again = cli(['restore', out], { DATABASE_URL: target });
  assert.equal(again.status, 1);
  assert.match(
    again.stderr,
    /DATABASE_URL: the database holds a fraudwatch store; restore replaces it only with --force/,
  );
  const forced = cli(['restore', out, '--force'], { DATABASE_URL: target });
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(await count(target, 'api_keys'), 2);
  const embeddedIntoPg = cli(['restore', out, '--data-dir', '/tmp/x']);
  assert.equal(embeddedIntoPg.status, 1);
  assert.match(embeddedIntoPg.stderr, /is a PostgreSQL backup: set DATABASE_URL/);
});
