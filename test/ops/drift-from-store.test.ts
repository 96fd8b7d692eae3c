import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../../src/engine/decision.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import { driftFromStore } from '../../src/ops/drift-from-store.ts';
import { Random } from '../../src/simulator/random.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';
import { IFOREST_FEATURES, trainIsolationForest } from '../../src/training/trainers.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1, 12);

/** n engine vectors whose anomaly-model inputs are normal(mean, 1); the rest missing. */
function vectors(random: Random, n: number, mean: number): Float64Array[] {
  return Array.from({ length: n }, () => {
    const v = new Float64Array(FEATURE_COUNT).fill(NaN);
    for (const name of IFOREST_FEATURES) v[FEATURE_NAMES.indexOf(name)] = mean + random.normal();
    return v;
  });
}

function stored(prefix: string, features: Float64Array[], decidedFrom: number): NewDecision[] {
  return features.map((f, i) => {
    const id = `${prefix}${i}`;
    const decision: Decision = {
      transaction_id: id,
      score: 0.1,
      outcome: 'approve',
      reasons: [],
      rule_score: 0,
      model_score: 0.1,
      model_version: 'm',
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    };
    const at = decidedFrom + i * 1000;
    return {
      transaction: {
        transaction_id: id,
        timestamp: at,
        account_id: `a${i % 50}`,
        amount: 10,
        currency: 'EUR',
      },
      decision,
      payload_hash: id,
      decided_at: at,
      features: f,
    };
  });
}

const random = new Random(11);
const training = vectors(random, 3000, 0);
const X = new Float64Array(3000 * FEATURE_COUNT);
training.forEach((v, i) => X.set(v, i * FEATURE_COUNT));
const model = trainIsolationForest(X, 3000, 3);

async function storeWith(rows: NewDecision[]): Promise<{ dir: string; store: SqliteStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-drift-'));
  const store = new SqliteStore(join(dir, 'fraudwatch.db'));
  await store.migrate();
  await store.saveDecisions(rows);
  return { dir, store };
}

test('drift from the store: the window counts, traffic like training is stable, shifted traffic drifts', async () => {
  const like = stored('like', vectors(random, 2000, 0), NOW - 2 * HOUR);
  const oldShifted = stored('old', vectors(random, 2000, 3), NOW - 30 * HOUR);
  const { store } = await storeWith([...like, ...oldShifted]);
  try {
    const stable = await driftFromStore(store, [model], NOW, 24 * HOUR);
    assert.equal(stable.decisions, 2000, 'decisions older than the window are not counted');
    const [report] = stable.models;
    assert.ok(report!.score_psi < 0.05, `score PSI ${report!.score_psi}`);
    assert.ok(report!.features.every((f) => f.psi < 0.05));
    const wide = await driftFromStore(store, [model], NOW, 48 * HOUR);
    assert.equal(wide.decisions, 4000);
    assert.ok(wide.models[0]!.score_psi > 0.1, `half shifted: score PSI ${wide.models[0]!.score_psi}`);
  } finally {
    await store.close();
  }
});

test('fraudwatch drift --json reads the data dir: stored decisions against the model in force', async () => {
  const shifted = stored('s', vectors(random, 1500, 2), Date.now() - HOUR);
  const { dir, store } = await storeWith(shifted);
  await store.close();
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'iforest-test.json'), JSON.stringify(model.toJSON()));
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', 'drift', '--json', '--data-dir', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.decisions, 1500);
  assert.equal(report.models.length, 1);
  assert.equal(report.models[0].model_version, model.version);
  assert.ok(report.models[0].score_psi > 0.1, `score PSI ${report.models[0].score_psi}`);
  const amount = report.models[0].features.find((f: { feature: string }) => f.feature === 'amount_log');
  assert.ok(amount.psi > 0.1);
  // The shape GET /api/v1/models/drift answers: the score's index per hour slot, which count every decision.
  const history = report.models[0].history as { start: string; decisions: number; score_psi: number }[];
  assert.ok(history.length >= 1 && history.length <= 3, JSON.stringify(history));
  assert.equal(
    history.reduce((sum, p) => sum + p.decisions, 0),
    1500,
  );
  assert.ok(history.every((p) => Date.parse(p.start) % HOUR === 0 && p.score_psi > 0.1));
  const text = spawnSync(process.execPath, ['bin/fraudwatch.js', 'drift', '--data-dir', dir], {
    encoding: 'utf8',
  });
  assert.match(text.stdout, /score PSI \d\.\d{3}\s+DRIFT/);
  assert.match(text.stdout, /score PSI by hour, oldest first: \d\.\d{3}/);
});
