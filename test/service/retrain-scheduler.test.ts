/**
 * Training from the store on simulated days: a store fed simulated traffic and analysts' verdicts retrains when
 * the schedule is due and when the precision of labelled alerts drops below the floor, not otherwise; a run
 * never sees a label known after its cut-off; two trainers on one store train once. Time is the simulation's.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { ModelTrainer, type TrainingOutcome } from '../../src/service/model-trainer.ts';
import { RetrainScheduler } from '../../src/service/retrain-scheduler.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { trainOffThread } from '../../src/training/train-off-thread.ts';
import { prepareTrainingJob, type PreparedTrainingJob } from '../../src/training/train-models.ts';
import {
  confirmFrauds as confirmAll,
  DAY,
  storeSimulatedTraffic,
} from '../../src/training/stored-simulation.ts';

const START = Date.UTC(2026, 0, 1);
const POLICY = { everyMs: 7 * DAY, precisionWindowMs: 7 * DAY, minPrecision: 0.75, minLabels: 30 };

interface World {
  store: SqliteStore;
  path: string;
  engine: Engine;
  registry: ModelRegistry;
  modelsDir: string;
  /** Fraud transactions: id → when decided. */
  frauds: Map<string, number>;
}

const opened: SqliteStore[] = [];
after(async () => {
  for (const s of opened) await s.close();
});

async function world(): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'fraudwatch-retrain-'));
  const path = join(root, 'fraudwatch.db');
  const store = new SqliteStore(path);
  opened.push(store);
  await store.migrate();
  const engine = new Engine({ labelDelayMs: 0 });
  const modelsDir = join(root, 'models');
  mkdirSync(modelsDir);
  return {
    store,
    path,
    engine,
    registry: await ModelRegistry.open({ dir: modelsDir, engine, store }),
    modelsDir,
    frauds: new Map(),
  };
}

async function traffic(w: World, fromDay: number, days: number, seed: number): Promise<void> {
  for (const [id, at] of await storeSimulatedTraffic(w.store, w.engine, START + fromDay * DAY, days, seed))
    w.frauds.set(id, at);
}

const confirmFrauds = (w: World, from: number, to: number, lagMs: number): Promise<number> =>
  confirmAll(w.store, w.frauds, from, to, lagMs);

function trainer(w: World, store = w.store, seen: PreparedTrainingJob[] = []): ModelTrainer {
  return new ModelTrainer(store, w.registry, {
    labelDelayMs: 7 * DAY,
    minFrauds: POLICY.minLabels,
    defaultWindowMs: 30 * DAY,
    clock: () => 0,
    train: (job) => {
      // the matrices as the thread builds them (the job's own buffers move to the thread)
      seen.push(prepareTrainingJob(job));
      return trainOffThread(job);
    },
  });
}

function scheduler(w: World, t: ModelTrainer, reviewThreshold = w.engine.decisionSettings.thresholds.review) {
  return new RetrainScheduler(w.store, t, {
    policy: POLICY,
    windowMs: 30 * DAY,
    reviewThreshold: () => reviewThreshold,
  });
}

test('first start: due at once, skipped with too few labelled frauds, retried a day later, trained once they are in', async () => {
  const w = await world();
  await traffic(w, 0, 20, 11);
  const t = trainer(w);
  const s = scheduler(w, t);
  const now = START + 20 * DAY;
  // no verdicts yet: the schedule is due (never trained from the store) but the labels are not there
  const first = await s.tick(now);
  assert.equal(first.action, 'trained');
  assert.equal(first.action === 'trained' && first.outcome.run.status, 'skipped');
  assert.match(
    (first as { outcome: TrainingOutcome }).outcome.run.result.message ?? '',
    /0 labelled frauds in the window, 30 needed/,
  );
  // the next check within the day records nothing
  assert.equal((await s.tick(now + 3_600_000)).action, 'waiting');
  assert.equal((await w.store.listTrainingRuns(10)).length, 1, 'one skipped run, not one per check');
  const confirmed = await confirmFrauds(w, START, now, DAY);
  assert.ok(confirmed >= 30, `${confirmed} frauds confirmed`);
  const later = now + DAY + 1;
  const second = await s.tick(later);
  assert.equal(second.action, 'trained');
  const run = (second as { outcome: TrainingOutcome }).outcome.run;
  assert.equal(run.status, 'done', run.result.message ?? '');
  assert.equal(run.trigger, 'schedule');
  assert.equal(run.result.produced.length, 2, 'a forest and a GBDT');
  for (const id of run.result.produced)
    assert.ok(existsSync(join(w.modelsDir, `${id}.json`)), `${id} registered`);
  assert.equal(run.result.labels.fraud, confirmed);
  // trained: nothing to do until the schedule comes round again
  assert.equal((await s.tick(later + DAY)).action, 'none');
  assert.equal((await s.tick(later + 6 * DAY)).action, 'none');
  const weekLater = await s.tick(later + 7 * DAY);
  assert.equal(weekLater.action, 'trained');
  assert.equal(weekLater.action === 'trained' && weekLater.due.reason, 'schedule');
  const audit = await w.store.listAudit({ action: 'model_train' });
  assert.equal(audit.length, 3, 'each run audited with its id');
  assert.deepEqual(
    audit.map((e) => e.new_value),
    (await w.store.listTrainingRuns(10)).map((r) => r.id).reverse(),
  );
});

test('a precision drop with enough labelled alerts retrains before the schedule; too few labels or a good precision do not', async () => {
  const w = await world();
  await traffic(w, 0, 20, 12);
  await confirmFrauds(w, START, START + 20 * DAY, DAY);
  const t = trainer(w);
  const s = scheduler(w, t);
  const trainedAt = START + 21 * DAY;
  const first = await s.tick(trainedAt);
  assert.equal(first.action === 'trained' && first.outcome.run.status, 'done');
  // two more days of traffic: its alerts get verdicts after the training
  await traffic(w, 21, 2, 13);
  const alerts = (await w.store.listAnomalies({ from: trainedAt, limit: 1000, sort: 'time' })).items;
  assert.ok(alerts.length >= POLICY.minLabels + 10, `${alerts.length} alerts to label`);
  const isFraud = (id: string) => w.frauds.has(id);
  const legit = alerts.filter((a) => !isFraud(a.transaction.transaction_id));
  const check = trainedAt + 3 * DAY;
  // few verdicts, all "legitimate": precision 0 but below the labels it needs
  for (const a of legit.slice(0, POLICY.minLabels - 1))
    await w.store.setStatus(a.transaction.transaction_id, 'legitimate', 'ana', null, trainedAt + 2 * DAY);
  assert.equal((await s.tick(check)).action, 'none', 'too few labelled alerts');
  // enough of them: precision 0 < 0.75
  for (const a of legit.slice(POLICY.minLabels - 1, POLICY.minLabels + 5))
    await w.store.setStatus(a.transaction.transaction_id, 'legitimate', 'ana', null, trainedAt + 2 * DAY);
  const dropped = await s.tick(check);
  assert.equal(dropped.action, 'trained');
  const { due, outcome } = dropped as {
    due: { reason: string; precision?: number };
    outcome: TrainingOutcome;
  };
  assert.equal(due.reason, 'precision');
  assert.ok(due.precision !== undefined && due.precision < 0.75);
  assert.equal(outcome.run.trigger, 'precision');
  assert.equal(outcome.run.status, 'done');
  // retrained for that drop: the same labels do not retrain again at the next check
  assert.equal((await s.tick(check + 3_600_000)).action, 'none');
});

test('the precision floor: alerts mostly confirmed as fraud do not retrain', async () => {
  const w = await world();
  await traffic(w, 0, 20, 14);
  await confirmFrauds(w, START, START + 20 * DAY, DAY);
  const s = scheduler(w, trainer(w));
  const trainedAt = START + 21 * DAY;
  assert.equal((await s.tick(trainedAt)).action, 'trained');
  await traffic(w, 21, 2, 15);
  // every alert labelled after the training: confirmed as fraud (precision 1)
  const alerts = (await w.store.listAnomalies({ from: trainedAt, limit: 1000, sort: 'time' })).items;
  for (const a of alerts.slice(0, POLICY.minLabels + 5))
    await w.store.setStatus(
      a.transaction.transaction_id,
      'confirmed_fraud',
      'ana',
      null,
      trainedAt + 2 * DAY,
    );
  assert.equal((await s.tick(trainedAt + 3 * DAY)).action, 'none');
});

test('a run never sees a label known after its cut-off', async () => {
  const w = await world();
  await traffic(w, 0, 20, 16);
  const cutoff = START + 20 * DAY;
  // frauds of the first ten days confirmed before the cut-off; the others a day after it
  const before = await confirmFrauds(w, START, START + 10 * DAY, DAY);
  for (const [id, at] of w.frauds)
    if (at >= START + 10 * DAY) await w.store.setStatus(id, 'confirmed_fraud', 'ana', null, cutoff + DAY);
  const seen: PreparedTrainingJob[] = [];
  const outcome = await trainer(w, w.store, seen).train('manual', 'admin', 30 * DAY, cutoff);
  assert.ok('run' in outcome);
  assert.equal(outcome.run.status, 'done', outcome.run.result.message ?? '');
  assert.equal(outcome.run.result.labels.fraud, before);
  const { y, n } = seen[0]!.labelled;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  assert.equal(positives, before, 'the labelled rows hold exactly the frauds known by the cut-off');
  assert.equal(seen[0]!.training.to, new Date(cutoff).toISOString());
  // frauds of the last week without a verdict by the cut-off are left out (awaiting), not learnt as legit
  assert.ok(outcome.awaitingLabel > 0);
});

test('two trainers on one store (two connections, as two serves): one trains, the other is refused', async () => {
  const w = await world();
  await traffic(w, 0, 20, 17);
  await confirmFrauds(w, START, START + 20 * DAY, DAY);
  const other = new SqliteStore(w.path);
  opened.push(other);
  const now = START + 21 * DAY;
  const [a, b] = await Promise.all([
    trainer(w).start('schedule', 'scheduler', 30 * DAY, now),
    trainer(w, other).start('schedule', 'scheduler', 30 * DAY, now),
  ]);
  assert.deepEqual([a.started, b.started].sort(), [false, true]);
  const winner = a.started ? a : b;
  const loser = a.started ? b : a;
  assert.ok(winner.started && !loser.started);
  assert.equal(loser.running.id, winner.run.id);
  assert.equal((await winner.finished).run.status, 'done');
  assert.deepEqual(
    (await w.store.listTrainingRuns(10)).map((r) => r.status),
    ['done'],
  );
});

test('RETRAIN_EVERY=off: never trained is no reason to train; only a precision drop would be', async () => {
  const w = await world();
  const s = new RetrainScheduler(w.store, trainer(w), {
    policy: { ...POLICY, everyMs: Infinity },
    windowMs: 30 * DAY,
    reviewThreshold: () => 0.5,
  });
  assert.equal((await s.tick(START + 100 * DAY)).action, 'none');
  assert.deepEqual(await w.store.listTrainingRuns(5), []);
});
