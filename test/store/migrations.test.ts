import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MIGRATIONS } from '../../src/store/migrations.ts';
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
  old.close();
  const cli = spawnSync(process.execPath, ['bin/fraudwatch.js', 'migrate', '--data-dir', dir], {
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /embedded store at schema version 3/);
  const store = new SqliteStore(path);
  assert.equal(await store.migrate(), 3, 'nothing left to apply');
  assert.equal((await store.getTransaction('old-1'))?.decision.outcome, 'review');
  assert.deepEqual(await store.listApiKeys(), [], 'the new tables exist');
  await store.close();
});
