/**
 * GET /api/v1/models/drift: the live drift of the models in force, per input and for the score, with the score's
 * history per hour; the same figures `fraudwatch drift` computes from the store's copy of the same decisions.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { driftFromStore } from '../../src/ops/drift-from-store.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { simulate } from '../../src/simulator/index.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { bootstrapModels } from '../../src/training/bootstrap-models.ts';
import { FOREST, GBDT_FEBRUARY, writeModelVersions } from '../training/model-versions.ts';

const root = mkdtempSync(join(tmpdir(), 'fraudwatch-model-drift-'));
const dir = join(root, 'models');
mkdirSync(dir);
writeModelVersions(dir);

const store = new SqliteStore(join(root, 'api.db'));
await store.migrate();
const engine = new Engine({ labelDelayMs: 0 });
const boot = bootstrapModels(dir);
const service = new DecisionService(engine, store);
service.models = await ModelRegistry.open({ dir, engine, store });
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'auditor'] as const) {
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
}
after(async () => {
  await app.close();
  await store.close();
});

interface DriftAnswer {
  window_ms: number;
  models: {
    model_version: string;
    observed: number;
    score_psi: number;
    features: { feature: string; psi: number }[];
    history: { start: string; decisions: number; score_psi: number }[];
  }[];
}

const drift = (role: string, query = '') =>
  app.inject({ method: 'GET', url: `/api/v1/models/drift${query}`, headers: { 'x-api-key': keys[role]! } });

test('before any decision: each model in force, nothing observed, no history', async () => {
  const r = await drift('auditor');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json() as DriftAnswer;
  assert.equal(body.window_ms, 24 * 3_600_000);
  assert.deepEqual(body.models.map((m) => m.model_version).sort(), [GBDT_FEBRUARY, FOREST].sort());
  for (const m of body.models) {
    assert.equal(m.observed, 0);
    assert.equal(m.score_psi, 0);
    assert.deepEqual(m.history, []);
    assert.ok(m.features.length > 0, `${m.model_version}: its inputs are listed`);
  }
});

test('after traffic: the window and its hours count it, and the store gives the same figures', async () => {
  const txs = [...simulate({ accounts: 100, days: 3, seed: 5, idPrefix: 'drift-' })].map((r) => r.tx);
  for (let i = 0; i < txs.length; i += 500) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/transactions/batch',
      headers: { 'x-api-key': keys.service! },
      payload: { transactions: txs.slice(i, i + 500) },
    });
    assert.equal(r.statusCode, 200);
  }
  const body = (await drift('analyst')).json() as DriftAnswer;
  const fromStore = await driftFromStore(
    store,
    boot.loaded.map((l) => l.model),
    Date.now(),
    body.window_ms,
  );
  assert.equal(fromStore.decisions, txs.length);
  for (const m of body.models) {
    assert.equal(m.observed, txs.length, m.model_version);
    assert.equal(
      m.history.reduce((sum, p) => sum + p.decisions, 0),
      txs.length,
      'every decision is in one hour',
    );
    for (const p of m.history) {
      assert.equal(new Date(p.start).getTime() % 3_600_000, 0, `${p.start} starts an hour`);
      assert.ok(Number.isFinite(p.score_psi) && p.score_psi >= 0);
    }
    // `fraudwatch drift` scores the stored vectors again: the same index, to rounding.
    const same = fromStore.models.find((s) => s.model_version === m.model_version)!;
    assert.ok(
      Math.abs(same.score_psi - m.score_psi) < 1e-9,
      `${m.model_version}: ${same.score_psi} vs ${m.score_psi}`,
    );
    assert.deepEqual(
      same.features.map((f) => [f.feature, f.psi.toFixed(9)]),
      m.features.map((f) => [f.feature, f.psi.toFixed(9)]),
    );
    assert.deepEqual(
      same.history.map((p) => [p.start, p.decisions, p.score_psi.toFixed(9)]),
      m.history.map((p) => [p.start, p.decisions, p.score_psi.toFixed(9)]),
    );
  }
});

test('a service key may not read it; a query parameter is refused by name', async () => {
  assert.equal((await drift('service')).statusCode, 403);
  const r = await drift('analyst', '?window=7d');
  assert.equal(r.statusCode, 400);
  assert.match(r.json().message, /window: unknown query parameter/);
});
