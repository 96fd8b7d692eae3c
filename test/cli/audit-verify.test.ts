/** `fraudwatch audit verify` on a real data dir: intact, then a changed entry, then a deleted one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

test('audit verify: exit 0 with the newest hash when intact, exit 1 naming the first broken entry', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-audit-verify-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/fraudwatch.js', ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  for (const name of ['a', 'b', 'c'])
    assert.equal(run('keys', 'create', '--role', 'analyst', '--name', name).status, 0);
  const intact = run('audit', 'verify');
  assert.equal(intact.status, 0, intact.stderr);
  assert.match(intact.stdout, /audit trail intact: 3 chained entries; newest hash [0-9a-f]{64}/);

  const db = new Database(join(dataDir, 'fraudwatch.db'));
  const ids = (db.prepare('SELECT id FROM audit ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  db.prepare("UPDATE audit SET actor = 'someone-else' WHERE id = ?").run(ids[1]);
  const changed = run('audit', 'verify');
  assert.equal(changed.status, 1);
  assert.match(changed.stderr, new RegExp(`audit trail broken at entry ${ids[1]}: .*contents were changed`));
  db.prepare('DELETE FROM audit WHERE id = ?').run(ids[1]);
  const deleted = run('audit', 'verify');
  assert.equal(deleted.status, 1);
  assert.match(
    deleted.stderr,
    new RegExp(`audit trail broken at entry ${ids[2]}: .*does not link to the entry before it`),
  );
  db.close();
});
