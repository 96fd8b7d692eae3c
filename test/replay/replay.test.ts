import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { loadModel } from '../../src/models/artifact.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-replay-'));
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csv(name: string, header: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
  return path;
}

function scores(path: string): Map<string, number> {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'transaction_id,score,outcome');
  return new Map(lines.slice(1).map((l) => [l.split(',')[0]!, Number(l.split(',')[1])]));
}

test('a label is never known before its delay: merchant risk would change the score if it leaked', () => {
  // 30 frauds at merchant "shop" on day 0, then a fresh account pays there on day 3.
  const rows: string[] = [];
  for (let i = 0; i < 30; i++)
    rows.push(`f${i},${new Date(T0 + i * 60_000).toISOString()},victim${i},shop,40,1`);
  rows.push(`probe,${new Date(T0 + 3 * DAY).toISOString()},fresh,shop,40,0`);
  const file = csv('leak.csv', 'transaction_id,timestamp,account_id,merchant_id,amount,label', rows);
  const run = (delay: string): number => {
    const out = join(dir, `leak-${delay}.csv`);
    const r = cli('replay', file, '--models', 'none', '--label-delay', delay, '--scores-out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    return scores(out).get('probe')!;
  };
  assert.equal(run('7d'), 0, 'with a 7-day delay the frauds are unknown on day 3');
  assert.equal(run('1d'), 0.45, 'with a 1-day delay they are known and the merchant rule fires');
});

test('bad rows are reported with line and column, counted, and --max-errors stops the run', () => {
  const file = csv('bad.csv', 'id,when,acct,amt,fraud', [
    `a,${new Date(T0).toISOString()},x,10,0`,
    `b,${new Date(T0 + 1000).toISOString()},x,-5,0`,
    `c,not-a-time,x,10,0`,
    `d,${new Date(T0 + 2000).toISOString()},x,10,0`,
  ]);
  const map = 'transaction_id=id,timestamp=when,account_id=acct,amount=amt,label=fraud';
  const r = cli('replay', file, '--map', map, '--models', 'none', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /bad\.csv:3: amt \(amount\): must be a finite number >= 0/);
  assert.match(r.stderr, /bad\.csv:4: when \(timestamp\): must be an ISO 8601 date-time/);
  const result = JSON.parse(r.stdout);
  assert.equal(result.rows, 2);
  assert.equal(result.bad_rows, 2);
  const stopped = cli('replay', file, '--map', map, '--models', 'none', '--max-errors', '1', '--json');
  assert.equal(stopped.status, 2);
  assert.match(stopped.stderr, /more than 1 bad rows/);
  assert.match(cli('replay', file, '--map', 'amout=amt').stderr, /--map: unknown field "amout"/);
});

test('a simulated backtest: every row scored in input order, metrics present, the full system beats the GBDT alone', () => {
  const data = join(dir, 'sim.csv.gz');
  assert.equal(cli('simulate', '--accounts', '800', '--days', '45', '--seed', '4', '--out', data).status, 0);
  const out = join(dir, 'scores.csv');
  const r = cli('replay', data, '--retrain-every', '7d', '--scores-out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const all = JSON.parse(r.stdout);
  for (const key of [
    'rows',
    'frauds',
    'auc_roc',
    'average_precision',
    'card_precision_at_100',
    'precision',
    'recall',
    'false_positive_rate',
    'retrains',
    'tps',
    'elapsed_s',
  ]) {
    assert.ok(key in all, key);
  }
  assert.ok(all.retrains >= 3, `retrains ${all.retrains}`);
  const written = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(written.length - 1, all.rows);
  const ids = written.slice(1).map((l) => l.split(',')[0]!);
  assert.deepEqual(ids, [...ids].sort(), 'input order (the simulator writes ids in order)');
  assert.ok(all.auc_roc > 0.7, `AUC ${all.auc_roc}`);
  assert.ok(all.after_warmup.rows > 0 && all.after_warmup.rows < all.rows);
  assert.ok(all.after_warmup.auc_roc > 0.85, `AUC after warm-up ${all.after_warmup.auc_roc}`);
  const gbdtOnly = cli(
    'replay',
    data,
    '--retrain-every',
    '7d',
    '--models',
    'gbdt',
    '--rules',
    'off',
    '--json',
  );
  assert.equal(gbdtOnly.status, 0, gbdtOnly.stderr);
  const gbdt = JSON.parse(gbdtOnly.stdout).after_warmup;
  assert.ok(
    all.after_warmup.average_precision >= gbdt.average_precision,
    `the full system's AP ${all.after_warmup.average_precision} >= the GBDT's alone ${gbdt.average_precision}`,
  );
  const rulesOnly = new Map(
    readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => [l.split(',')[0]!, Number(l.split(',')[1])]),
  );
  const rulesOut = join(dir, 'rules-only.csv');
  assert.equal(cli('replay', data, '--models', 'none', '--scores-out', rulesOut, '--json').status, 0);
  let changed = 0;
  for (const [id, score] of scores(rulesOut)) if (score !== rulesOnly.get(id)) changed++;
  assert.ok(changed > all.rows / 2, `the models changed ${changed} of ${all.rows} scores`);
});

test('train writes versioned artifacts that load and score', () => {
  const data = join(dir, 'train.csv');
  assert.equal(cli('simulate', '--accounts', '600', '--days', '30', '--seed', '9', '--out', data).status, 0);
  const out = join(dir, 'models');
  const r = cli('train', '--data', data, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(out).sort();
  assert.equal(files.length, 2);
  const vector = new Float64Array(FEATURE_NAMES.length);
  for (const file of files) {
    const json = JSON.parse(readFileSync(join(out, file), 'utf8'));
    assert.equal(json.format_version, 1);
    assert.ok(json.training.rows > 1000 && json.training.label_delay_ms === 7 * DAY);
    const model = loadModel(join(out, file));
    const s = model.predict(vector);
    assert.ok(s >= 0 && s <= 1, `${file}: ${s}`);
  }
});
