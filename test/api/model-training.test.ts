/** Training from the store over the API: admin only, 202 at once and trained in the background, 409 while running. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { ModelTrainer } from '../../src/service/model-trainer.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { trainOffThread } from '../../src/training/train-off-thread.ts';
import { confirmFrauds, DAY, storeSimulatedTraffic } from '../../src/training/stored-simulation.ts';

const root = mkdtempSync(join(tmpdir(), 'fraudwatch-api-train-'));
const dir = join(root, 'models');
mkdirSync(dir);
const store = new SqliteStore(join(root, 'api.db'));
await store.migrate();
const today = Math.floor(Date.now() / DAY) * DAY;
const frauds = await storeSimulatedTraffic(store, new Engine({ labelDelayMs: 0 }), today - 20 * DAY, 20, 31);
await confirmFrauds(store, frauds, today - 20 * DAY, today - DAY, DAY);

const engine = new Engine({ labelDelayMs: 0 });
const service = new DecisionService(engine, store);
service.models = await ModelRegistry.open({ dir, engine, store });
// The trees wait for the test's word, so the run is certainly going on while the second request comes.
let release!: () => void;
const gate = new Promise<void>((resolve) => (release = resolve));
const trainer = new ModelTrainer(store, service.models, {
  labelDelayMs: 7 * DAY,
  minFrauds: 25,
  defaultWindowMs: 30 * DAY,
  train: async (job) => {
    await gate;
    return trainOffThread(job);
  },
});
service.trainer = trainer;
const app = buildApp({ service });
const bare = buildApp({ service: new DecisionService(new Engine(), store) });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const)
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
const as = (role: string): Record<string, string> => ({ 'x-api-key': keys[role]! });
after(async () => {
  await app.close();
  await bare.close();
  await store.close();
});

const train = (role: string, payload: unknown = {}, on = app) =>
  on.inject({ method: 'POST', url: '/api/v1/models/train', headers: as(role), payload: payload as object });
const runs = async (role = 'analyst') =>
  app.inject({ method: 'GET', url: '/api/v1/models/training', headers: as(role) });

test('only an admin starts a training; bad input is a 400 naming the field', async () => {
  for (const role of ['service', 'analyst', 'auditor'])
    assert.equal((await train(role)).statusCode, 403, role);
  const unknown = await train('admin', { window: '30d', models: 'gbdt' });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().message, /models/);
  for (const window of ['30', 'a month', '0d', '400d']) {
    const r = await train('admin', { window });
    assert.equal(r.statusCode, 400, window);
    assert.equal(r.json().details[0].path, 'window', window);
  }
  assert.equal((await runs('service')).statusCode, 403);
  assert.deepEqual((await runs('auditor')).json(), { runs: [] }, 'nothing started by the refusals');
  const noModels = await train('admin', {}, bare);
  assert.equal(noModels.statusCode, 409);
  assert.match(noModels.json().message, /without models/);
});

test('202 with the run at once, 409 while it runs, then the run done with its figures and challengers', async () => {
  const started = await train('admin', { window: '30d' });
  assert.equal(started.statusCode, 202, started.body);
  const { run } = started.json();
  assert.equal(run.status, 'running');
  assert.equal(run.trigger, 'manual');
  assert.equal(run.actor, 'admin-key');
  assert.equal(run.window_ms, 30 * DAY);
  assert.equal(run.finished_at, null);
  assert.ok(!Number.isNaN(Date.parse(run.started_at)) && !Number.isNaN(Date.parse(run.cutoff)));

  const again = await train('admin');
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error, 'training_running');
  assert.match(again.json().message, new RegExp(run.id));
  assert.equal((await runs()).json().runs[0].status, 'running');

  release();
  let latest;
  for (let i = 0; i < 600; i++) {
    latest = (await runs()).json().runs[0];
    if (latest.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(latest.status, 'done', JSON.stringify(latest));
  assert.equal(latest.id, run.id);
  assert.equal(latest.produced.length, 2);
  assert.ok(latest.labels.fraud >= 25 && latest.labels.assumed_legit > 0, JSON.stringify(latest.labels));
  assert.ok(latest.decisions > 0 && latest.finished_at !== null);
  const trail = await store.listAudit({ action: 'model_train' });
  assert.equal(trail.length, 1);
  assert.equal(trail[0]!.new_value, run.id);
  assert.equal(trail[0]!.actor, 'admin-key');
  // the slot is free again
  const next = await train('admin', { window: '2d' });
  assert.equal(next.statusCode, 202);
});
