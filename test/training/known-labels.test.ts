import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../../src/engine/decision.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';
import { knownLabels } from '../../src/training/known-labels.ts';

const DAY = 86_400_000;
const CUTOFF = Date.UTC(2026, 10, 30);

function decided(id: string, at: number): NewDecision {
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
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: 'a1',
      amount: 5,
      currency: 'EUR',
      merchant_id: 'm1',
    },
    decision,
    payload_hash: id,
    decided_at: at,
  };
}

test('known labels merge verdicts and imports: the latest known by the cut-off wins, an import on a tie', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  try {
    const ids = ['verdict-only', 'import-only', 'import-later', 'verdict-later', 'import-too-late', 'tie'];
    await store.saveDecisions(ids.map((id, i) => decided(id, CUTOFF - 30 * DAY + i)));
    await store.setStatus('verdict-only', 'confirmed_fraud', 'ana', null, CUTOFF - 10 * DAY);
    await store.setStatus('import-later', 'legitimate', 'ana', null, CUTOFF - 10 * DAY);
    await store.setStatus('verdict-later', 'confirmed_fraud', 'ana', null, CUTOFF - 2 * DAY);
    await store.setStatus('import-too-late', 'legitimate', 'ana', null, CUTOFF - 10 * DAY);
    await store.setStatus('tie', 'legitimate', 'ana', null, CUTOFF - 5 * DAY);
    const label = (id: string, fraud: boolean, knownAt: number) => ({
      transaction_id: id,
      fraud,
      source: 'chargebacks',
      known_at: knownAt,
    });
    // Recorded now (after the cut-off); what counts is when each became known.
    await store.recordLabels(
      [
        label('import-only', true, CUTOFF - 20 * DAY),
        label('import-later', true, CUTOFF - 3 * DAY), // a chargeback after the analyst's "legitimate"
        label('verdict-later', false, CUTOFF - 4 * DAY),
        label('import-too-late', true, CUTOFF + 1),
        label('tie', true, CUTOFF - 5 * DAY),
      ],
      'ops',
      CUTOFF + DAY,
    );
    const known = await knownLabels(store, CUTOFF);
    const view = Object.fromEntries([...known].map(([id, l]) => [id, [l.fraud, l.source, l.known_at]]));
    assert.deepEqual(view, {
      'verdict-only': [true, 'verdict', CUTOFF - 10 * DAY],
      'import-only': [true, 'import', CUTOFF - 20 * DAY],
      'import-later': [true, 'import', CUTOFF - 3 * DAY],
      'verdict-later': [true, 'verdict', CUTOFF - 2 * DAY],
      'import-too-late': [false, 'verdict', CUTOFF - 10 * DAY],
      tie: [true, 'import', CUTOFF - 5 * DAY],
    });
    // Before every label was known there is none; an earlier cut-off sees only what was known by then.
    assert.equal((await knownLabels(store, CUTOFF - 25 * DAY)).size, 0);
    const early = await knownLabels(store, CUTOFF - 15 * DAY);
    assert.deepEqual([...early.keys()], ['import-only']);
  } finally {
    await store.close();
  }
});
