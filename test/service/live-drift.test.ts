import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { modelFromJSON } from '../../src/models/artifact.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { LiveDrift } from '../../src/service/live-drift.ts';
import { simulate } from '../../src/simulator/index.ts';
import { Random } from '../../src/simulator/random.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FeatureHistory } from '../../src/training/feature-history.ts';
import { trainIsolationForest } from '../../src/training/trainers.ts';

const traffic = (seed: number, idPrefix: string): Transaction[] =>
  [...simulate({ accounts: 300, days: 20, seed, idPrefix })].map((r) => r.tx);

test('a service measures its traffic against its model: stable like training, degraded and in /metrics when shifted', async () => {
  // The anomaly model is trained on the features of one simulated population ...
  const trainingEngine = new Engine();
  const history = new FeatureHistory(FEATURE_COUNT);
  for (const tx of traffic(1, 'train-')) {
    trainingEngine.score(tx);
    history.push(tx.timestamp, trainingEngine.features, null);
  }
  const sample = history.sample(-Infinity, Infinity, 20_000);
  const model = trainIsolationForest(sample.X, sample.n, 1);

  const serve = async (txs: Transaction[]): Promise<DecisionService> => {
    const engine = new Engine({ labelDelayMs: 0 });
    engine.setModels([{ model, weight: 1 }]);
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-drift-')), 'd.db'));
    await store.migrate();
    const service = new DecisionService(engine, store, () => Date.UTC(2026, 5, 1), 1000, new Metrics());
    for (let i = 0; i < txs.length; i += 500) await service.decideMany(txs.slice(i, i + 500));
    return service;
  };

  // ... and live traffic from another draw of the same generator looks like it ...
  const alike = await serve(traffic(2, 'live-'));
  try {
    const health = await alike.componentHealth();
    assert.ok(health.model.score_psi < 0.1, `score PSI ${health.model.score_psi} on traffic like training`);
    assert.equal(health.model.status, 'healthy');
  } finally {
    await alike.store.close();
  }

  // ... while amounts fifty times larger from new devices do not.
  const shifted = traffic(3, 'shift-').map((tx) => ({
    ...tx,
    amount: tx.amount * 50,
    device_id: `new-${tx.transaction_id}`,
  }));
  const drifted = await serve(shifted);
  try {
    const health = await drifted.componentHealth();
    assert.ok(health.model.score_psi > 0.1, `score PSI ${health.model.score_psi} after the shift`);
    assert.equal(health.model.status, 'degraded');
    assert.match(String((health.model as { reason?: string }).reason), /score PSI .* consider retraining/);
    const text = await drifted.metrics!.text();
    const line = new RegExp(
      `^fraudwatch_score_psi\\{model_version="${model.version}"\\} ([0-9.]+)$`,
      'm',
    ).exec(text);
    assert.ok(line && Number(line[1]) > 0.1, text.slice(0, 400));
    assert.match(text, /^fraudwatch_feature_psi\{model_version="[^"]+",feature="amount_log"\} /m);
  } finally {
    await drifted.store.close();
  }
});

test('a model that stays in force keeps its window when the others change; one put in force starts empty', () => {
  const engine = new Engine();
  const vector = new Float64Array(FEATURE_COUNT).fill(0);
  const random = new Random(3);
  const X = Float64Array.from({ length: 500 * FEATURE_COUNT }, () => random.normal());
  const forest = trainIsolationForest(X, 500, 1);
  const other = modelFromJSON({ ...forest.toJSON(), version: 'iforest-other' });
  engine.setModels([{ model: forest, weight: 1 }]);
  const drift = new LiveDrift(engine);
  const decision = { model_score: 0.2 } as Decision;
  const at = Date.UTC(2026, 5, 1);
  for (let i = 0; i < 100; i++) drift.observe(vector, decision, at + i);
  const observed = () => drift.reports(at + 1000).map((r) => [r.model_version, r.observed]);
  assert.deepEqual(observed(), [[forest.version, 100]]);
  // The same forest in a new set of slots (another kind rolled back, say): its counts stay.
  engine.setModels([{ model: forest, weight: 1 }]);
  assert.deepEqual(observed(), [[forest.version, 100]]);
  // Another version in its place starts from nothing.
  engine.setModels([{ model: other, weight: 1 }]);
  assert.deepEqual(observed(), [['iforest-other', 0]]);
});
