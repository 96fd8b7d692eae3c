import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../../src/engine/decision.ts';
import { alertPrecision, DEFAULT_RETRAIN_POLICY, retrainDue } from '../../src/service/retrain-policy.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30);
const policy = DEFAULT_RETRAIN_POLICY;

test('retrain on schedule, and early when precision falls below the floor with enough labels', () => {
  assert.deepEqual(retrainDue(NOW, null, { labelled: 0, fraud: 0 }, policy), {
    reason: 'schedule',
    last_trained_at: null,
  });
  assert.equal(retrainDue(NOW, NOW - 6 * DAY, { labelled: 100, fraud: 80 }, policy), null);
  assert.equal(retrainDue(NOW, NOW - 7 * DAY, { labelled: 100, fraud: 80 }, policy)?.reason, 'schedule');
  assert.deepEqual(retrainDue(NOW, NOW - DAY, { labelled: 100, fraud: 70 }, policy), {
    reason: 'precision',
    precision: 0.7,
    labelled: 100,
  });
  assert.equal(
    retrainDue(NOW, NOW - DAY, { labelled: 49, fraud: 0 }, policy),
    null,
    'too few labels to judge',
  );
});

function decided(id: string, score: number): NewDecision {
  const decision: Decision = {
    transaction_id: id,
    score,
    outcome: score >= 0.5 ? 'review' : 'approve',
    reasons: [],
    rule_score: score,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  const at = NOW - 10 * DAY;
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: 'a',
      amount: 5,
      currency: 'EUR',
      merchant_id: 'm',
    },
    decision,
    payload_hash: id,
    decided_at: at,
  };
}

test('alert precision from the store: the latest verdict in the window, alerts only', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-precision-')), 'fraudwatch.db'));
  await store.migrate();
  try {
    await store.saveDecisions([
      decided('a1', 0.9),
      decided('a2', 0.7),
      decided('a3', 0.6),
      decided('low', 0.1),
    ]);
    await store.setStatus('a1', 'confirmed_fraud', 'x', null, NOW - DAY);
    await store.setStatus('a2', 'confirmed_fraud', 'x', null, NOW - 2 * DAY);
    await store.setStatus('a2', 'legitimate', 'y', null, NOW - DAY); // the latest counts
    await store.setStatus('a3', 'legitimate', 'x', null, NOW - 9 * DAY); // before the window
    await store.setStatus('low', 'confirmed_fraud', 'x', null, NOW - DAY); // a missed fraud, not an alert
    assert.deepEqual(await alertPrecision(store, NOW, 7 * DAY, 0.5), { labelled: 2, fraud: 1 });
    assert.deepEqual(await alertPrecision(store, NOW, 10 * DAY, 0.5), { labelled: 3, fraud: 1 });
  } finally {
    await store.close();
  }
});
