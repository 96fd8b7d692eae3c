/** The automatic promotion rule: the challenger set replaces the champions only on enough labels and a better AP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoPromotionFromEnv, autoPromotionVerdict } from '../../src/service/auto-promotion.ts';
import type { LiveModelMetrics, LiveModelReport } from '../../src/service/live-model-metrics.ts';

const CHAMPION = 'gbdt-a+iforest-a';
const CHALLENGER = 'gbdt-b+iforest-b';

function metrics(model_version: string, labels: number, ap: number | null): LiveModelMetrics {
  return {
    model_version,
    role: model_version === CHAMPION ? 'champion' : 'challenger',
    decisions: labels * 10,
    alert_rate: 0.02,
    labels,
    positives: Math.round(labels / 10),
    auc: 0.9,
    average_precision: ap,
    precision: 0.5,
    recall: 0.5,
  };
}

function report(...models: LiveModelMetrics[]): LiveModelReport {
  return { computed_at: 0, from: 0, to: 1, review_threshold: 0.5, models, daily: [] };
}

test('the challenger set is promoted when both have enough labels and its average precision is higher', () => {
  const v = autoPromotionVerdict(
    report(metrics(CHAMPION, 250, 0.61), metrics(CHALLENGER, 200, 0.64)),
    CHAMPION,
    CHALLENGER,
    200,
  );
  assert.equal(v.promote, true, v.reason);
  assert.match(
    v.reason,
    /challenger gbdt-b\+iforest-b: AP 0\.6400 over 200 labels; champion gbdt-a\+iforest-a: AP 0\.6100 over 250 labels/,
  );
});

test('not promoted: too few labels on either side, a lower or equal AP, no AP, no challenger, a stale report', () => {
  const cases: [string, ReturnType<typeof autoPromotionVerdict>, RegExp][] = [
    [
      'challenger short of labels',
      autoPromotionVerdict(
        report(metrics(CHAMPION, 900, 0.5), metrics(CHALLENGER, 199, 0.9)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /fewer than 200 labels/,
    ],
    [
      'champion short of labels',
      autoPromotionVerdict(
        report(metrics(CHAMPION, 10, 0.1), metrics(CHALLENGER, 900, 0.9)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /gbdt-a\+iforest-a.*fewer than 200 labels/,
    ],
    [
      'equal AP',
      autoPromotionVerdict(
        report(metrics(CHAMPION, 300, 0.7), metrics(CHALLENGER, 300, 0.7)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /not better/,
    ],
    [
      'lower AP',
      autoPromotionVerdict(
        report(metrics(CHAMPION, 300, 0.7), metrics(CHALLENGER, 300, 0.6)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /not better/,
    ],
    [
      'no AP',
      autoPromotionVerdict(
        report(metrics(CHAMPION, 300, 0.7), metrics(CHALLENGER, 300, null)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /no average precision/,
    ],
    [
      'no challenger',
      autoPromotionVerdict(report(metrics(CHAMPION, 300, 0.7)), CHAMPION, null, 200),
      /no challenger/,
    ],
    ['no report', autoPromotionVerdict(null, CHAMPION, CHALLENGER, 200), /no live report/],
    [
      // Computed before the last stage change: its sets are not the ones in force now.
      'stale report',
      autoPromotionVerdict(
        report(metrics('gbdt-old+iforest-a', 900, 0.2), metrics(CHALLENGER, 900, 0.9)),
        CHAMPION,
        CHALLENGER,
        200,
      ),
      /does not cover both sets/,
    ],
  ];
  for (const [name, verdict, reason] of cases) {
    assert.equal(verdict.promote, false, name);
    assert.match(verdict.reason, reason, name);
  }
});

test('AUTO_PROMOTE, AUTO_PROMOTE_MIN_LABELS and CHALLENGER_TRAFFIC from the environment, refused by name', () => {
  assert.deepEqual(autoPromotionFromEnv({}), { enabled: false, minLabels: 200 });
  assert.deepEqual(autoPromotionFromEnv({ AUTO_PROMOTE: 'true', AUTO_PROMOTE_MIN_LABELS: '50' }), {
    enabled: true,
    minLabels: 50,
  });
  assert.throws(
    () => autoPromotionFromEnv({ AUTO_PROMOTE: 'yes' }),
    /^RangeError: AUTO_PROMOTE: must be true or false/,
  );
  assert.throws(() => autoPromotionFromEnv({ AUTO_PROMOTE_MIN_LABELS: '0' }), /AUTO_PROMOTE_MIN_LABELS/);
});
