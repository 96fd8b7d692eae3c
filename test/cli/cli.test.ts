import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileRecords } from '../../src/ingest/file-records.ts';
import { simulate } from '../../src/simulator/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-cli-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function records(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of readFileRecords(path)) {
    assert.equal(r.error, undefined, `line ${r.line}: ${r.error}`);
    out.push(r.record!);
  }
  return out;
}

test('--help lists the commands', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  for (const command of ['demo', 'simulate', 'rules', 'bench'])
    assert.match(r.stdout, new RegExp(`\\b${command}\\b`));
});

test('simulate writes CSV, JSONL and gzip that read back as the same rows', async () => {
  const options = ['--accounts', '200', '--days', '5', '--seed', '11'];
  const expected = [...simulate({ accounts: 200, days: 5, seed: 11 })];
  for (const name of ['s.csv', 's.jsonl', 's.csv.gz', 's.jsonl.gz']) {
    const path = join(dir, name);
    const r = cli('simulate', ...options, '--out', path);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${expected.length} transactions`));
    if (name.endsWith('.gz')) assert.ok(gunzipSync(readFileSync(path)).length > 0, 'really gzip');
    const rows = await records(path);
    assert.equal(rows.length, expected.length, name);
    for (const i of [0, 1, Math.floor(rows.length / 2), rows.length - 1]) {
      const row = rows[i]!;
      const want = expected[i]!;
      assert.equal(row.transaction_id, want.tx.transaction_id);
      assert.equal(Number(row.amount), want.tx.amount);
      assert.equal(new Date(String(row.timestamp)).getTime(), want.tx.timestamp);
      assert.equal(Number(row.label), want.label);
      assert.equal(row.scenario, want.scenario);
    }
  }
  const a = cli('simulate', ...options, '--out', join(dir, 'again.csv'));
  assert.equal(a.status, 0);
  assert.equal(
    readFileSync(join(dir, 'again.csv'), 'utf8'),
    readFileSync(join(dir, 's.csv'), 'utf8'),
    'byte-identical',
  );
});

test('simulate refuses bad options, naming them', () => {
  const cases: [string[], RegExp][] = [
    [['--accounts', '0'], /--accounts must be a positive integer/],
    [['--days', 'abc'], /--days must be a positive integer/],
    [['--out', join(dir, 'x.parquet')], /--out: unknown file type/],
    [['--fraud-rate', '2'], /--fraud-rate must be a number in \[0, 0.5\]/],
    [['--start', 'someday'], /--start must be an ISO 8601 date/],
  ];
  for (const [args, message] of cases) {
    const r = cli('simulate', ...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('rules validate: ok on the default rules, exit 1 with located errors, exit 2 on broken JSON', () => {
  const ok = cli('rules', 'validate', 'rules/default-rules.json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok \(19 rules, 19 enabled, version /);
  const shown = cli('rules', 'show-default');
  assert.deepEqual(JSON.parse(shown.stdout), JSON.parse(readFileSync('rules/default-rules.json', 'utf8')));
  const doc = JSON.parse(shown.stdout);
  doc.rules[3].when = { field: 'amout', op: '>', value: 1 };
  const bad = join(dir, 'bad-rules.json');
  writeFileSync(bad, JSON.stringify(doc));
  const r = cli('rules', 'validate', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^rules\[3\]\.when\.field: unknown feature "amout" \(did you mean "amount"\?\)$/m);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"version": ');
  const b = cli('rules', 'validate', broken);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /not valid JSON/);
  assert.equal(cli('rules', 'validate', join(dir, 'missing.json')).status, 2);
});

test('demo scores simulated traffic and reports the catch rate', () => {
  const r = cli('demo', '--accounts', '300', '--days', '7', '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.ok(summary.rows > 1000);
  assert.equal(summary.approve + summary.review + summary.block_and_review + summary.decline, summary.rows);
  assert.ok(summary.recall > 0, 'some fraud is caught');
});

test('worker, dlq and simulate --to refuse bad options with a message naming the option, before connecting', () => {
  const index = cli('worker', '--index', '2', '--workers', '2');
  assert.notEqual(index.status, 0);
  assert.match(index.stderr, /--index\/--workers: worker index: must be an integer from 0 to 1/);
  const ackWait = cli('worker', '--ack-wait', 'soon');
  assert.notEqual(ackWait.status, 0);
  assert.match(ackWait.stderr, /--ack-wait must be a duration such as 90s/);
  const to = cli('simulate', '--to', 'http://127.0.0.1:4222', '--count', '5');
  assert.notEqual(to.status, 0);
  assert.match(to.stderr, /--to must be a nats:\/\/ URL/);
  const both = cli('simulate', '--to', 'nats://127.0.0.1:4222', '--out', join(dir, 'x.csv'));
  assert.match(both.stderr, /--to and --out: choose one destination/);
  const partitions = spawnSync(process.execPath, ['bin/fraudwatch.js', 'dlq', 'list'], {
    encoding: 'utf8',
    env: { ...process.env, FRAUDWATCH_PARTITIONS: '0' },
  });
  assert.notEqual(partitions.status, 0);
  assert.match(partitions.stderr, /FRAUDWATCH_PARTITIONS: must be an integer from 1 to 1024/);
});

test('every duration option needs a unit: a bare number and an ambiguous m are refused, naming the option', () => {
  for (const [args, option] of [
    [['worker', '--ack-wait', '30'], '--ack-wait'],
    [['replay', 'missing.csv', '--label-delay', '7'], '--label-delay'],
    [['replay', 'missing.csv', '--retrain-every', '1m'], '--retrain-every'],
    [['train', '--data', 'missing.csv', '--out', dir, '--label-delay', '7'], '--label-delay'],
  ] as const) {
    const r = cli(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, new RegExp(`${option} must be a duration such as 90s, 15min, 12h or 7d`));
    assert.match(r.stderr, /needs a unit|m is ambiguous/);
  }
});
