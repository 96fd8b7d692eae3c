import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_COUNT, FEATURE_NAMES, indexOfFeature } from '../../src/engine/features/catalog.ts';
import { featuresFromBytes, featuresToBytes } from '../../src/store/queries.ts';

test("a stored vector of today's catalog reads back as 32-bit floats, in half the bytes", () => {
  const v = Float64Array.from({ length: FEATURE_COUNT }, (_, i) => i * 1.5 - 3);
  v[indexOfFeature('anomaly_score')] = NaN;
  v[indexOfFeature('amount')] = 999.99; // not a float32: comes back rounded to one
  v[indexOfFeature('seconds_since_last')] = 2_591_999; // counts and seconds within 2^24 stay exact
  const bytes = featuresToBytes(v)!;
  assert.equal(bytes.byteLength, 4 + 4 * FEATURE_COUNT);
  const back = featuresFromBytes(new Uint8Array(bytes))!;
  assert.deepEqual(Array.from(back), Array.from(v, Math.fround));
  assert.equal(back[indexOfFeature('seconds_since_last')], 2_591_999);
  assert.ok(Math.abs(back[indexOfFeature('amount')]! - 999.99) < 999.99 * 6e-8);
});

test('a 64-bit vector stored before the float32 layout reads back bit for bit', () => {
  const v = Float64Array.from({ length: FEATURE_COUNT }, (_, i) => i + 0.1);
  const back = featuresFromBytes(new Uint8Array(v.buffer.slice(0)))!;
  assert.deepEqual(Array.from(back), Array.from(v));
});

test('a float32 vector of an earlier catalog is mapped by name too', () => {
  const lacked = ['merchant_fraud_accounts_7d', 'merchant_fraud_accounts_30d'];
  const earlier = FEATURE_NAMES.filter((name) => !lacked.includes(name));
  const bytes = featuresToBytes(Float64Array.from(earlier, (_, i) => i + 1))!;
  const back = featuresFromBytes(new Uint8Array(bytes))!;
  earlier.forEach((name, i) => assert.equal(back[indexOfFeature(name)], i + 1, name));
  for (const name of lacked) assert.ok(Number.isNaN(back[indexOfFeature(name)]), `${name} is NaN`);
});

test('a vector stored before the distinct-fraud-account features is mapped by name, the new ones NaN', () => {
  const lacked = ['merchant_fraud_accounts_7d', 'merchant_fraud_accounts_30d'];
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
  assert.equal(featuresFromBytes(featuresToBytes(new Float64Array(5))), null, 'a tagged vector of 5');
  assert.equal(featuresFromBytes(null), null);
});
