import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import { modelFromJSON } from '../../src/models/artifact.ts';
import { simulatedHistory } from '../../src/training/bootstrap-models.ts';
import { trainOffThread } from '../../src/training/train-off-thread.ts';

test('training in its own thread: models come back as artifacts and the event loop keeps ticking', async () => {
  const history = simulatedHistory(800, 20, 5);
  const labelled = history.labelled(-Infinity, Infinity, 1);
  const sample = history.sample(-Infinity, Infinity, 20_000);

  let ticks = 0;
  let longestGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 10);
  const started = performance.now();
  const artifacts = await trainOffThread({ labelled, sample, seed: 3, training: { rows: labelled.n } });
  const took = performance.now() - started;
  clearInterval(timer);

  assert.ok(artifacts.gbdt !== null, 'enough fraud in 20 simulated days to train the GBDT');
  const gbdt = modelFromJSON(artifacts.gbdt);
  const iforest = modelFromJSON(artifacts.iforest);
  assert.equal(gbdt.name, 'gbdt');
  assert.equal(iforest.name, 'iforest');
  assert.ok(gbdt.driftProfile !== undefined && iforest.driftProfile !== undefined);
  const vector = labelled.X.subarray(0, FEATURE_COUNT);
  const p = gbdt.predict(vector);
  assert.ok(p >= 0 && p <= 1);
  // the timer ran all along: no gap near the training time (a blocked loop would show one gap ≈ took)
  assert.ok(took > 200, `training took ${took.toFixed(0)} ms: too short to show anything`);
  assert.ok(
    longestGap < Math.max(150, took / 4),
    `longest timer gap ${longestGap.toFixed(0)} ms of ${took.toFixed(0)} ms`,
  );
  assert.ok(ticks > took / 40, `${ticks} ticks in ${took.toFixed(0)} ms`);
});

test('a job that cannot train rejects with the reason, not a crash', async () => {
  await assert.rejects(
    trainOffThread({
      labelled: { X: new Float64Array(0), y: new Uint8Array(0), n: 0 },
      sample: { X: new Float64Array(0), n: 0 },
      seed: 1,
      training: { rows: 0 },
    }),
    /training failed: /,
  );
});
