import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../../src/engine/decision.ts';
import { FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';
import { trainingSetFromStore } from '../../src/training/store-training-set.ts';
import { prepareTrainingJob } from '../../src/training/train-models.ts';

const DAY = 86_400_000;
const CUTOFF = Date.UTC(2026, 10, 30);

function decided(id: string, at: number, marker: number): NewDecision {
  const decision: Decision = {
    transaction_id: id,
    score: 0.6,
    outcome: 'review',
    reasons: [],
    rule_score: 0.6,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  const features = new Float64Array(FEATURE_COUNT).fill(marker);
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: 'a1',
      amount: 50,
      currency: 'EUR',
      merchant_id: 'm1',
    },
    decision,
    payload_hash: id,
    decided_at: at,
    features,
  };
}

test('a training set from the store uses only labels known by the cut-off, and waits for young ones', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-train-')), 'fraudwatch.db'));
  await store.migrate();
  try {
    await store.saveDecisions([
      decided('outside', CUTOFF - 40 * DAY, 1),
      decided('old-quiet', CUTOFF - 20 * DAY, 2),
      decided('old-fraud', CUTOFF - 20 * DAY + 1, 3),
      decided('young-fraud-later', CUTOFF - 3 * DAY, 4),
      decided('young-quiet', CUTOFF - 3 * DAY + 1, 5),
      decided('young-legit', CUTOFF - 2 * DAY, 6),
      decided('after-cutoff', CUTOFF + DAY, 7),
    ]);
    await store.setStatus('old-fraud', 'confirmed_fraud', 'ana', null, CUTOFF - 10 * DAY);
    await store.setStatus('young-fraud-later', 'confirmed_fraud', 'ana', null, CUTOFF + 1);
    await store.setStatus('young-legit', 'confirmed_fraud', 'ana', null, CUTOFF - 2 * DAY + 10);
    await store.setStatus('young-legit', 'legitimate', 'bo', 'customer confirmed', CUTOFF - DAY);

    const set = await trainingSetFromStore(store, {
      cutoff: CUTOFF,
      windowMs: 30 * DAY,
      labelDelayMs: 7 * DAY,
    });
    assert.equal(set.decisions, 5, 'the window: neither the 40-day-old one nor the one after the cut-off');
    assert.deepEqual(
      set.verdicts,
      { fraud: 1, legit: 1 },
      'the latest verdict by the cut-off; a later one unseen',
    );
    assert.equal(set.assumedLegit, 1, 'older than the label delay and never labelled');
    assert.equal(set.awaitingLabel, 2, 'younger than the label delay, label not known by the cut-off');
    const job = prepareTrainingJob(set.job);
    const { X, y, n } = job.labelled;
    assert.equal(n, 3);
    const rows = Array.from({ length: n }, (_, i) => [X[i * FEATURE_COUNT], y[i]]);
    assert.deepEqual(
      rows,
      [
        [2, 0],
        [3, 1],
        [6, 0],
      ],
      'oldest first, with their labels',
    );
    assert.equal(job.sample.n, 5, 'the anomaly sample takes every decided row in the window');
    assert.equal(job.training.rows, 3);
    assert.equal(job.training.label_delay_ms, 7 * DAY);
    assert.equal(job.training.to, new Date(CUTOFF).toISOString());
  } finally {
    await store.close();
  }
});
