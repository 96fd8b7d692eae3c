import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_COUNT, FEATURE_NAMES, indexOfFeature } from '../../src/engine/features/catalog.ts';
import { featuresFromBytes, featuresToBytes } from '../../src/store/queries.ts';

test("a stored vector of today's catalog reads back bit for bit", () => {
  const v = Float64Array.from({ length: FEATURE_COUNT }, (_, i) => i * 1.5 - 3);
  v[indexOfFeature('anomaly_score')] = NaN;
  const back = featuresFromBytes(new Uint8Array(featuresToBytes(v)!));
  assert.deepEqual(Array.from(back!), Array.from(v));
});

for (const lacked of [
  ['merchant_fraud_episode_days'],
  ['account_max_7d_ratio_habit', 'merchant_fraud_streak', 'merchant_fraud_episode_days'],
  [
    'merchant_fraud_accounts_7d',
    'merchant_fraud_accounts_30d',
    'account_max_7d_ratio_habit',
    'merchant_fraud_streak',
    'merchant_fraud_episode_days',
  ],
])
  test(`a vector stored before ${lacked.join(', ')} is mapped by name, those NaN`, () => {
    const earlier = FEATURE_NAMES.filter((name) => !lacked.includes(name));
    const old = Float64Array.from(earlier, (_, i) => i + 1);
    const back = featuresFromBytes(new Uint8Array(old.buffer))!;
    assert.equal(back.length, FEATURE_COUNT);
    earlier.forEach((name, i) => assert.equal(back[indexOfFeature(name)], i + 1, name));
    for (const name of lacked) assert.ok(Number.isNaN(back[indexOfFeature(name)]), `${name} is NaN`);
    assert.equal(
      back[indexOfFeature('rule_score')],
      earlier.indexOf('rule_score') + 1,
      'columns after them move',
    );
  });

test('a width no catalog had reads as no features', () => {
  assert.equal(featuresFromBytes(new Uint8Array(8 * 5)), null);
  assert.equal(featuresFromBytes(new Uint8Array(7)), null);
  assert.equal(featuresFromBytes(null), null);
});
