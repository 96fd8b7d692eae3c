import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

test('retention archives old rows to gzip JSON Lines, then deletes them; a second run finds nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-retention-'));
  const store = new SqliteStore(join(dir, 'fraudwatch.db'));
  await store.migrate();
  const DAY = 86_400_000;
  let clock = Date.now() - 200 * DAY;
  const service = new DecisionService(new Engine(), store, () => clock);
  for (let i = 0; i < 25; i++) {
    clock = Date.now() - (200 - i * 10) * DAY; // decided 200, 190, ..., -40 days from now, in steps of 10
    const r = await service.decide({
      transaction_id: `r${i}`,
      timestamp: new Date(clock).toISOString(),
      account_id: 'a',
      amount: 5,
      currency: 'EUR',
    });
    assert.equal(r.kind, 'created');
  }
  await store.close();
  const archive = join(dir, 'old.jsonl.gz');
  const run = () =>
    spawnSync(
      process.execPath,
      [
        'bin/fraudwatch.js',
        'retention',
        '--older-than',
        '90d',
        '--archive',
        archive,
        '--batch',
        '4',
        '--data-dir',
        dir,
      ],
      { encoding: 'utf8' },
    );
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  const result = JSON.parse(first.stdout);
  // decided 200, 190, ..., 90 days ago: 12 rows (the one 90 days ago is a moment older than 90 days when the command runs)
  assert.deepEqual(
    { archived: result.archived, deleted: result.deleted, batches: result.batches },
    { archived: 12, deleted: 12, batches: 3 },
  );
  const rows = gunzipSync(readFileSync(archive))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    rows.map((r) => r.transaction.transaction_id),
    Array.from({ length: 12 }, (_, i) => `r${i}`),
  );
  assert.ok(rows[0].decision.outcome);
  const second = run();
  assert.equal(JSON.parse(second.stdout).deleted, 0, 'safe to re-run');
  const reopened = new SqliteStore(join(dir, 'fraudwatch.db'));
  assert.equal(await reopened.getTransaction('r0'), null);
  assert.ok(await reopened.getTransaction('r12'));
  await reopened.close();
  const bad = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'retention', '--older-than', 'soon', '--data-dir', dir],
    { encoding: 'utf8' },
  );
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--older-than must be a duration/);
});
