import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src/engine/decision.ts';
import { FEATURE_COUNT, indexOfFeature } from '../../src/engine/features/catalog.ts';
import { dryRunRules, type DryRunRow } from '../../src/engine/rules/dry-run.ts';
import { compileRules } from '../../src/engine/rules/index.ts';

const AMOUNT_RATIO = indexOfFeature('amount_ratio_mean_30d');

function row(
  id: string,
  ratio: number | null,
  status: string,
  decision: DryRunRow['decision'],
  merchant = 'm1',
): DryRunRow {
  let features: Float64Array | null = null;
  if (ratio !== null) {
    features = new Float64Array(FEATURE_COUNT);
    features[AMOUNT_RATIO] = ratio;
  }
  return {
    transaction: {
      transaction_id: id,
      timestamp: 0,
      account_id: 'a',
      amount: 10,
      currency: 'EUR',
      merchant_id: merchant,
    },
    decision,
    status,
    features,
  };
}

const rules = compileRules({
  version: 'proposed',
  lists: { bad: ['m-bad'] },
  rules: [
    {
      id: 'big',
      version: 1,
      when: { field: 'amount_ratio_mean_30d', op: '>=', value: 5 },
      score: 0.6,
      reason: 'big',
    },
    {
      id: 'bad_merchant',
      version: 1,
      when: { field: 'merchant_id', op: 'in_list', list: 'bad' },
      outcome: 'decline',
      reason: 'listed',
    },
  ],
});

test('dry run: per-rule fires and verdicts, outcome changes from the stored model score, rows without features left out', () => {
  assert.ok(rules.ok);
  const approve = { outcome: 'approve' as const, model_score: 0 };
  const rows = [
    // fires "big" (0.6) with a model score of 0.5: 1 - 0.4 * 0.5 = 0.8 → block_and_review (was review)
    row('t1', 6, 'confirmed_fraud', { outcome: 'review', model_score: 0.5 }),
    // fires "big" alone, no model: 0.6 → review (was review: unchanged)
    row('t2', 9, 'legitimate', { outcome: 'review', model_score: null }),
    // fires nothing: stays approve
    row('t3', 1, 'open', approve),
    // fires both: the forced decline wins
    row('t4', 7, 'confirmed_fraud', approve, 'm-bad'),
    // stored before features were kept
    row('t5', null, 'confirmed_fraud', approve),
  ];
  const r = dryRunRules(rules.value, rows, DEFAULT_THRESHOLDS);
  assert.equal(r.version, 'proposed');
  assert.equal(r.evaluated, 4);
  assert.equal(r.skipped, 1);
  assert.equal(r.fired, 3);
  assert.equal(r.fired_confirmed_fraud, 2);
  assert.equal(r.fired_legitimate, 1);
  assert.equal(r.confirmed_fraud, 2, 'the skipped row is not counted');
  assert.equal(r.legitimate, 1);
  assert.deepEqual(r.rules, [
    { rule: 'big@1', fired: 3, confirmed_fraud: 2, legitimate: 1 },
    { rule: 'bad_merchant@1', fired: 1, confirmed_fraud: 1, legitimate: 0 },
  ]);
  assert.deepEqual(r.outcomes, { approve: 1, review: 1, block_and_review: 1, decline: 1 });
  assert.equal(r.changed, 2, 't1 (review → block_and_review) and t4 (approve → decline)');
});
