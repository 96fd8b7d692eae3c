import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_COUNT, indexOfFeature } from '../../src/engine/features/catalog.ts';
import {
  describeFeature,
  formatNumber,
  unlabelledFeatures,
} from '../../src/engine/features/feature-labels.ts';
import { Engine } from '../../src/engine/engine.ts';
import { HeuristicModel } from '../../src/engine/heuristic-model.ts';

function vector(values: Record<string, number>): Float64Array {
  const f = new Float64Array(FEATURE_COUNT);
  for (const [name, value] of Object.entries(values)) f[indexOfFeature(name)] = value;
  return f;
}

test('every catalog feature has a human name and unit', () => {
  assert.deepEqual(unlabelledFeatures(), []);
});

test('numbers read as an analyst reads them', () => {
  assert.equal(formatNumber(8000), '8,000');
  assert.equal(formatNumber(1234567.4), '1,234,567');
  assert.equal(formatNumber(151.2), '151');
  assert.equal(formatNumber(52.98), '53');
  assert.equal(formatNumber(3.14159), '3.14');
  assert.equal(formatNumber(-12.5), '-12.5');
});

test('an amount is compared with the account mean, with both values', () => {
  const f = vector({ amount: 8000, account_mean_30d: 151, amount_ratio_mean_30d: 8000 / 151 });
  assert.equal(describeFeature('amount', 8000, f), "amount 8,000 is 53× the account's 30-day mean (151)");
  assert.equal(
    describeFeature('amount_ratio_mean_30d', 8000 / 151, f),
    "amount 8,000 is 53× the account's 30-day mean (151)",
  );
  assert.equal(describeFeature('amount_log', Math.log1p(8000), f).startsWith('amount 8,000 is 53×'), true);
  assert.equal(
    describeFeature('amount_zscore_30d', 12.34, f),
    "amount 8,000 is 12.3 standard deviations above the account's 30-day mean (151)",
  );
  assert.equal(
    describeFeature('amount', 40, vector({ amount: 40 })),
    'amount 40',
    'no history: no made-up comparison',
  );
  assert.equal(
    describeFeature('amount_ratio_mean_30d', 4.2),
    "amount is 4.2× the account's 30-day mean",
    'without the vector the ratio alone',
  );
});

test('flags, counts, durations, distances and unknowns say what they mean', () => {
  assert.equal(describeFeature('is_new_device', 1), 'a device the account never used');
  assert.equal(describeFeature('is_new_device', 0), 'a device the account used before');
  assert.equal(
    describeFeature('account_count_1h', 14),
    '14 earlier transactions of the account in the last hour',
  );
  assert.equal(describeFeature('seconds_since_last', 12), "12 s since the account's previous transaction");
  assert.equal(describeFeature('seconds_since_last', -1), "the account's first transaction");
  assert.equal(
    describeFeature('distance_from_home_km', 1234.4),
    "1,234 km from the account's usual locations",
  );
  assert.equal(
    describeFeature('merchant_fraud_rate_30d', 0.125),
    "merchant's fraud rate over the last 30 days (smoothed) 12.5%",
  );
  assert.equal(describeFeature('hour_of_day', 3), 'hour of day 03:00 UTC');
  assert.equal(describeFeature('anomaly_score', Number.NaN), 'anomaly score (isolation forest): unknown');
  assert.equal(
    describeFeature('some_new_column', 2),
    'some_new_column = 2',
    'an unknown name stays readable',
  );
});

test('a flagged decision carries model reasons with text and the machine fields', () => {
  const engine = new Engine({ labelDelayMs: 0 });
  engine.setModels([{ model: new HeuristicModel(), weight: 1 }]);
  engine.setSettings({ thresholds: { review: 0, block_and_review: 1, decline: 1 } });
  const base = { account_id: 'a', currency: 'EUR', merchant_id: 'm', device_id: 'd1', country: 'DE' };
  for (let i = 0; i < 10; i++)
    engine.score({ ...base, transaction_id: `h${i}`, timestamp: Date.UTC(2026, 0, 1 + i), amount: 150 + i });
  const d = engine.score({
    ...base,
    transaction_id: 'big',
    timestamp: Date.UTC(2026, 0, 12),
    amount: 8000,
    device_id: 'd2',
  });
  const models = d.reasons.filter((r) => r.kind === 'model');
  assert.ok(models.length > 0, JSON.stringify(d.reasons));
  for (const r of models) {
    assert.equal(typeof r.feature, 'string');
    assert.equal(typeof r.value, 'number');
    assert.ok(r.text && !r.text.includes('_'), `human text, not a column name: ${r.text}`);
  }
  assert.ok(
    models.some((r) => /^amount 8,000 is \d+(\.\d+)?× the account's 30-day mean \(\d/.test(r.text!)),
    models.map((r) => r.text).join(' | '),
  );
});
