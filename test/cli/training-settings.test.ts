import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingSettingsFromEnv } from '../../src/cli/training-settings.ts';

const DAY = 86_400_000;

test('training settings: the defaults, durations as typed, off for the schedule, bad values named', () => {
  assert.deepEqual(trainingSettingsFromEnv({}), {
    policy: { everyMs: 7 * DAY, precisionWindowMs: 7 * DAY, minPrecision: 0.75, minLabels: 50 },
    windowMs: 30 * DAY,
    labelDelayMs: 7 * DAY,
    checkEveryMs: 3_600_000,
  });
  const set = trainingSettingsFromEnv({
    RETRAIN_EVERY: 'off',
    RETRAIN_PRECISION_WINDOW: '12h',
    RETRAIN_MIN_PRECISION: '0.6',
    RETRAIN_MIN_LABELS: '200',
    TRAIN_WINDOW: '90d',
    TRAIN_LABEL_DELAY: '14d',
    RETRAIN_CHECK_INTERVAL: '15min',
  });
  assert.equal(set.policy.everyMs, Infinity);
  assert.equal(set.policy.precisionWindowMs, 12 * 3_600_000);
  assert.equal(set.policy.minPrecision, 0.6);
  assert.equal(set.policy.minLabels, 200);
  assert.equal(set.windowMs, 90 * DAY);
  assert.equal(set.labelDelayMs, 14 * DAY);
  assert.equal(set.checkEveryMs, 15 * 60_000);
  for (const [name, value, says] of [
    ['RETRAIN_EVERY', '7', /RETRAIN_EVERY: must be a duration such as 12h or 7d, or off, got "7"/],
    ['TRAIN_WINDOW', 'off', /TRAIN_WINDOW: must be a duration/],
    ['RETRAIN_CHECK_INTERVAL', '0h', /RETRAIN_CHECK_INTERVAL/],
    ['RETRAIN_MIN_PRECISION', '75%', /RETRAIN_MIN_PRECISION: must be a number from 0 to 1/],
    ['RETRAIN_MIN_PRECISION', '1.5', /from 0 to 1/],
    ['RETRAIN_MIN_LABELS', '2.5', /RETRAIN_MIN_LABELS: must be a positive whole number/],
  ] as const)
    assert.throws(() => trainingSettingsFromEnv({ [name]: value }), says, `${name}=${value}`);
});
