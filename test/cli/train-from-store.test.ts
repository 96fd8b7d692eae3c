/** `fraudwatch train --from-store` on a data dir: trains on what serve stored, refuses while a run is going on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { confirmFrauds, DAY, storeSimulatedTraffic } from '../../src/training/stored-simulation.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-train-store-'));

function cli(args: string[], minLabels = '25'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', 'train', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', RETRAIN_MIN_LABELS: minLabels },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// 20 days of decisions ending now, their frauds confirmed a day later (those of the last day not yet)
const today = Math.floor(Date.now() / DAY) * DAY;
const start = today - 20 * DAY;
const store = new SqliteStore(join(dataDir, 'fraudwatch.db'));
await store.migrate();
const frauds = await storeSimulatedTraffic(store, new Engine({ labelDelayMs: 0 }), start, 20, 21);
const confirmed = await confirmFrauds(store, frauds, start, today - DAY, DAY);
await store.close();

test('train --from-store: trains on the stored decisions, registers both models, prints its figures', () => {
  const r = cli(['--from-store', '--data-dir', dataDir, '--window', '30d', '--json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout) as {
    status: string;
    decisions: number;
    labels: { fraud: number; legit: number; assumed_legit: number; awaiting: number };
    produced: string[];
    metrics: Record<string, Record<string, number>>;
  };
  assert.equal(report.status, 'done');
  assert.equal(report.labels.fraud, confirmed, 'every verdict given by now');
  assert.ok(report.labels.assumed_legit > 0 && report.labels.awaiting > 0);
  assert.ok(report.decisions > 10_000, `${report.decisions} decisions`);
  assert.equal(report.produced.length, 2);
  for (const id of report.produced) assert.ok(existsSync(join(dataDir, 'models', `${id}.json`)));
  const gbdt = report.produced.find((id) => id.startsWith('gbdt'))!;
  assert.ok(report.metrics[gbdt]!.validation_auc! > 0.5, JSON.stringify(report.metrics));

  // Six days: shorter than the 7-day label delay, so nothing counts as legitimate, yet four whole days of
  // confirmed frauds whatever the time of day (two days held as few as 9 late in the day).
  const text = cli(['--from-store', '--data-dir', dataDir, '--window', '6d']);
  assert.equal(
    text.status,
    1,
    `six days: nothing old enough to count as legitimate, skipped\n${text.stdout}`,
  );
  assert.match(text.stdout, /training run train-\S+: skipped/);
  assert.match(
    text.stdout,
    /0 legitimate labels in the window \(verdicts, or older than the label delay\), 25 needed/,
  );
});

test('train --from-store: refused while a run is going on; --data and --from-store do not mix', async () => {
  const s = new SqliteStore(join(dataDir, 'fraudwatch.db'));
  const now = Date.now();
  const claim = await s.claimTrainingRun(
    {
      id: 'serve-run',
      trigger: 'schedule',
      actor: 'scheduler',
      window_ms: 30 * DAY,
      cutoff: now,
      started_at: now,
    },
    now - 3_600_000,
  );
  assert.equal(claim.claimed, true);
  try {
    const r = cli(['--from-store', '--data-dir', dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /a training run is going on \(serve-run, schedule by scheduler/);
  } finally {
    await s.finishTrainingRun(
      'serve-run',
      'failed',
      { decisions: 0, labels: { fraud: 0, legit: 0, assumed_legit: 0 }, produced: [], message: 'test' },
      now,
    );
    await s.close();
  }
  // an option the chosen mode would ignore is refused by name, before anything is read or written
  const models = cli(['--from-store', '--data-dir', dataDir, '--models', 'gbdt']);
  assert.equal(models.status, 2);
  assert.match(models.stderr, /--models: only with --data \(--from-store trains both models as serve does\)/);
  const two = cli(['--from-store', '--data-dir', dataDir, '--seed', '3', '--map', 'label=is_fraud']);
  assert.equal(two.status, 2);
  assert.match(two.stderr, /--map, --seed: only with --data .* leave them out/);
  const storeOnly = cli(['--data', 'x.csv', '--out', join(dataDir, 'never'), '--window', '30d', '--json']);
  assert.equal(storeOnly.status, 2);
  assert.match(storeOnly.stderr, /--window, --json: only with --from-store/);
  assert.equal(existsSync(join(dataDir, 'never')), false);
  const mixed = cli(['--from-store', '--data', 'x.csv']);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /--from-store trains on the store: leave out --data and --out/);
  const bad = cli(['--from-store', '--data-dir', dataDir, '--window', '30']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--window/);
  const env = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'train', '--from-store', '--data-dir', dataDir],
    {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '', TRAIN_WINDOW: 'a month' },
    },
  );
  assert.equal(env.status, 2);
  assert.match(env.stderr, /TRAIN_WINDOW: must be a duration/);
});
