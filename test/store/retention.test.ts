import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import type { Outcome } from '../../src/engine/decision.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

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
        '--yes',
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

const DAY = 86_400_000;

/** A store with rows decided `ages` days ago: approved ones, open cases, closed cases and confirmed fraud. */
async function storeWithCases(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-retention-cases-'));
  const store = new SqliteStore(join(dir, 'fraudwatch.db'));
  await store.migrate();
  const now = Date.now();
  const row = (id: string, daysAgo: number, outcome: Outcome): NewDecision => ({
    transaction: {
      transaction_id: id,
      timestamp: now - daysAgo * DAY,
      account_id: 'a',
      amount: 5,
      currency: 'EUR',
      merchant_id: 'm',
    },
    decision: {
      transaction_id: id,
      score: outcome === 'approve' ? 0.1 : 0.8,
      outcome,
      reasons: [],
      rule_score: 0,
      model_score: null,
      model_version: null,
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    },
    payload_hash: `h-${id}`,
    decided_at: now - daysAgo * DAY,
  });
  await store.saveDecisions([
    row('old-approved', 100, 'approve'),
    row('old-open-case', 100, 'review'),
    row('old-fraud', 100, 'decline'),
    row('old-legit', 100, 'review'),
    row('recent', 10, 'approve'),
  ]);
  await store.setStatus('old-fraud', 'confirmed_fraud', 'alice', null, now - 99 * DAY);
  await store.setStatus('old-legit', 'legitimate', 'alice', null, now - 99 * DAY);
  await store.close();
  return dir;
}

function retention(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['bin/fraudwatch.js', 'retention', '--data-dir', dir, ...args], {
    encoding: 'utf8',
  });
}

async function remaining(dir: string): Promise<string[]> {
  const store = new SqliteStore(join(dir, 'fraudwatch.db'));
  try {
    const ids = ['old-approved', 'old-open-case', 'old-fraud', 'old-legit', 'recent'];
    const found = await Promise.all(ids.map((id) => store.getTransaction(id)));
    return ids.filter((_, i) => found[i] !== null);
  } finally {
    await store.close();
  }
}

const ALL = ['old-approved', 'old-open-case', 'old-fraud', 'old-legit', 'recent'];

test('retention durations need a unit: a bare number, m and months are refused with a reason, nothing deleted', async () => {
  const dir = await storeWithCases();
  for (const [value, why] of [
    ['3', /needs a unit/],
    ['3m', /m is ambiguous: write min for minutes/],
    ['3months', /months and years vary in length/],
    ['3mo', /months and years vary in length/],
    ['3 fortnights', /unknown unit "fortnights"/],
    ['-3d', /must be a duration/],
  ] as const) {
    const r = retention(dir, '--older-than', value, '--yes');
    assert.notEqual(r.status, 0, value);
    assert.match(r.stderr, /--older-than must be a duration such as 90s, 15min, 12h or 7d/);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(await remaining(dir), ALL);
});

test('retention refuses rows younger than the longest window without --force, and never deletes unasked', async () => {
  const dir = await storeWithCases();
  const young = retention(dir, '--older-than', '3d', '--yes');
  assert.notEqual(young.status, 0);
  assert.match(young.stderr, /--older-than 3d is under 31d: .* give --force/);
  const unasked = retention(dir, '--older-than', '90d'); // stdin is not a terminal here
  assert.notEqual(unasked.status, 0);
  assert.match(unasked.stderr, /not run from a terminal: give --yes/);
  assert.deepEqual(await remaining(dir), ALL);

  const forced = retention(dir, '--older-than', '3d', '--force', '--yes');
  assert.equal(forced.status, 0, forced.stderr);
  assert.deepEqual(await remaining(dir), ['old-open-case', 'old-fraud'], 'cases are kept even when forced');
});

test('retention --dry-run says what it would delete and deletes nothing; open cases and confirmed fraud stay unless --include-cases', async () => {
  const dir = await storeWithCases();
  const dry = retention(dir, '--older-than', '90d', '--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout).to_delete, 2);
  assert.equal(JSON.parse(dry.stdout).cases_kept, 2);
  assert.match(
    dry.stderr,
    /will delete 2 transactions decided before .*; keeps 2 open cases and confirmed fraud/,
  );
  assert.deepEqual(await remaining(dir), ALL);

  const run = retention(dir, '--older-than', '90d', '--yes');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).deleted, 2);
  assert.deepEqual(await remaining(dir), ['old-open-case', 'old-fraud', 'recent']);

  const all = retention(dir, '--older-than', '90d', '--yes', '--include-cases');
  assert.equal(all.status, 0, all.stderr);
  assert.equal(JSON.parse(all.stdout).deleted, 2);
  assert.deepEqual(await remaining(dir), ['recent']);
});

test('on a terminal retention asks first: anything but yes deletes nothing', async () => {
  const dir = await storeWithCases();
  // `script` gives the command a pseudo-terminal; the answer comes through it.
  const onTerminal = (answer: string) =>
    spawnSync(
      'script',
      ['-qec', `node bin/fraudwatch.js retention --data-dir ${dir} --older-than 90d`, '/dev/null'],
      { encoding: 'utf8', input: `${answer}\n` },
    );
  const no = onTerminal('n');
  assert.match(no.stdout, /delete 2 transactions\? \[y\/N\]/);
  assert.match(no.stdout, /nothing deleted/);
  assert.deepEqual(await remaining(dir), ALL);
  const yes = onTerminal('y');
  assert.match(yes.stdout, /"deleted":2/);
  assert.deepEqual(await remaining(dir), ['old-open-case', 'old-fraud', 'recent']);
});
