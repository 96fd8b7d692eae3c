/**
 * `fraudwatch labels import`: a CSV or JSON Lines file (.gz too) of late labels into the store; each refused line
 * reported as FILE:LINE: field: message while the good ones are kept; exit 0, 1 (lines refused) or 2 (usage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Decision } from '../../src/engine/decision.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';
import { importLabels, UnusableFile } from '../../src/cli/labels-command.ts';
import { FileReadError } from '../../src/ingest/file-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-labels-cli-'));
const DAY = 86_400_000;
const T = Date.UTC(2026, 9, 1);

function decided(id: string): NewDecision {
  const decision: Decision = {
    transaction_id: id,
    score: 0.2,
    outcome: 'approve',
    reasons: [],
    rule_score: 0.2,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  return {
    transaction: {
      transaction_id: id,
      timestamp: T,
      account_id: 'a',
      amount: 9,
      currency: 'EUR',
      merchant_id: 'm',
    },
    decision,
    payload_hash: id,
    decided_at: T,
  };
}

const store = new SqliteStore(join(dir, 'fraudwatch.db'));
await store.migrate();
await store.saveDecisions(['c1', 'c2', 'c3', 'c4', 'j1', 'j2'].map(decided));
await store.close();

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'labels', 'import', ...args, '--data-dir', dir],
    {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function stored() {
  const s = new SqliteStore(join(dir, 'fraudwatch.db'));
  try {
    return {
      labels: await s.listLabels(null, 100),
      audit: await s.listAudit({ action: 'label_recorded', limit: 100 }),
    };
  } finally {
    await s.close();
  }
}

test('a CSV with bad lines: each reported with its line, the good ones recorded and audited, exit 1', async () => {
  const csv = file(
    'chargebacks.csv',
    [
      'transaction_id,label,known_at',
      `c1,fraud,${T + 20 * DAY}`,
      'c2,legit,2026-10-25T12:00:00Z',
      'c3,maybe,',
      'ghost,fraud,',
      `c4,1,${Math.floor((T + DAY) / 1000)}`,
      'c1,0,',
      'c2,legit',
      'c4,yes,',
    ].join('\n'),
  );
  const r = cli(csv, '--source', 'visa-chargebacks');
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 5, r.stderr);
  assert.match(lines[0]!, new RegExp(`^${csv}:4: label: "maybe" is not a label`));
  assert.match(lines[1]!, new RegExp(`^${csv}:5: transaction_id: no transaction ghost is stored`));
  assert.match(lines[2]!, new RegExp(`^${csv}:6: known_at: .*epoch milliseconds`));
  assert.match(
    lines[3]!,
    new RegExp(`^${csv}:7: label: fraud was recorded before \\(source visa-chargebacks`),
  );
  assert.match(lines[4]!, new RegExp(`^${csv}:8: has 2 fields, the header has 3`));
  assert.match(
    r.stdout,
    /8 lines: 3 recorded, 0 unchanged \(recorded before\), 1 unknown transaction ids, 1 conflicts, 3 bad lines/,
  );
  const { labels, audit } = await stored();
  assert.deepEqual(
    labels.map((l) => [l.transaction_id, l.fraud, l.source, l.recorded_by.startsWith('cli')]),
    [
      ['c1', true, 'visa-chargebacks', true],
      ['c2', false, 'visa-chargebacks', true],
      ['c4', true, 'visa-chargebacks', true],
    ],
  );
  assert.equal(labels[0]!.known_at, T + 20 * DAY);
  assert.equal(labels[1]!.known_at, Date.UTC(2026, 9, 25, 12));
  assert.ok(Math.abs(labels[2]!.known_at - Date.now()) < 60_000, 'no known_at: the time of import');
  assert.equal(audit.length, 3);
});

test('JSON Lines, gzip-compressed, as JSON; a second import of the same file changes nothing and exits 0', async () => {
  const body = [
    JSON.stringify({ transaction_id: 'j1', label: 'fraud', known_at: T + 3 * DAY }),
    '',
    JSON.stringify({ transaction_id: 'j2', label: 'legit', known_at: '2026-10-05T00:00:00Z' }),
  ].join('\n');
  const gz = file('reports.jsonl.gz', gzipSync(body));
  const first = cli(gz, '--json');
  assert.equal(first.status, 0, first.stderr);
  const summary = JSON.parse(first.stdout);
  assert.equal(summary.recorded, 2);
  assert.equal(summary.source, 'reports.jsonl.gz', "the file's name by default");
  assert.deepEqual(summary.problems, []);
  const again = cli(gz, '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).unchanged, 2);
  assert.equal((await stored()).audit.length, 5, 'no entry for the repeat');
});

test('usage errors exit 2 with one line: no file, a header without label', () => {
  const noFile = spawnSync(process.execPath, ['bin/fraudwatch.js', 'labels', 'import'], { encoding: 'utf8' });
  assert.equal(noFile.status, 2, noFile.stderr);
  const r = cli(file('nolabel.csv', 'transaction_id,known_at\nc1,1\n'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /nolabel\.csv:1: header: missing column\(s\) label/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
});

// The same reader in this process (a CLI start costs seconds on a busy machine).
test('files that cannot be imported name themselves; a line that is not JSON is reported and the rest kept', async () => {
  const s = new SqliteStore(':memory:');
  await s.migrate();
  try {
    await s.saveDecisions([decided('k1')]);
    const run = (path: string) => importLabels(s, path, 'test', 'cli:test');
    await assert.rejects(run(file('labels.txt', 'x')), /unknown file type/);
    await assert.rejects(
      run(join(dir, 'missing.csv')),
      (e) => e instanceof FileReadError && /no such file/.test(e.message),
    );
    await assert.rejects(
      run(file('extra.csv', 'transaction_id,label,reason\nk1,1,x\n')),
      (e) => e instanceof UnusableFile && /extra\.csv:1: header: reason: not a label column/.test(e.message),
    );
    const broken = file('broken.jsonl', '{"transaction_id": "k1", "label": "fraud"}\n{"transaction_id": \n');
    const summary = await run(broken);
    assert.equal(summary.recorded, 1);
    assert.deepEqual(
      summary.problems.map((p) => [p.line, p.result]),
      [[2, 'invalid']],
    );
    assert.match(summary.problems[0]!.message, /is not valid JSON/);
  } finally {
    await s.close();
  }
});
