import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { compileRules } from '../../src/engine/rules/index.ts';
import { DAY, HOUR, T0, tx } from './helpers.ts';

const noRules = (() => {
  const r = compileRules({ version: 'empty', rules: [] });
  assert.ok(r.ok, 'an empty rule set compiles');
  return r.value;
})();

function feature(engine: Engine, name: string): number {
  const i = indexOfFeature(name);
  assert.ok(i >= 0, `feature ${name} exists`);
  return engine.features[i]!;
}

test('account windows: counts, sums, means and standard deviations of earlier transactions', () => {
  const engine = new Engine({ rules: noRules });
  engine.score(tx({ timestamp: T0 - 10 * DAY, amount: 10 }));
  engine.score(tx({ timestamp: T0 - 2 * DAY, amount: 20 }));
  engine.score(tx({ timestamp: T0 - 2 * HOUR, amount: 30 }));
  engine.score(tx({ timestamp: T0 - 10 * 60_000, amount: 40 }));
  engine.score(tx({ timestamp: T0, amount: 1000 }));
  assert.equal(feature(engine, 'account_count_1h'), 1);
  assert.equal(feature(engine, 'account_count_24h'), 2);
  assert.equal(feature(engine, 'account_count_7d'), 3);
  assert.equal(feature(engine, 'account_count_30d'), 4);
  assert.equal(feature(engine, 'account_sum_30d'), 100);
  assert.equal(feature(engine, 'account_mean_30d'), 25);
  assert.ok(Math.abs(feature(engine, 'account_std_30d') - Math.sqrt(125)) < 1e-9);
  assert.ok(Math.abs(feature(engine, 'amount_zscore_30d') - (1000 - 25) / Math.sqrt(125)) < 1e-9);
  assert.equal(feature(engine, 'amount_ratio_mean_30d'), 40);
  assert.equal(feature(engine, 'amount_ratio_max_30d'), 25);
  assert.equal(feature(engine, 'seconds_since_last'), 600);
  assert.equal(feature(engine, 'account_tx_total'), 4);
  assert.equal(feature(engine, 'account_age_days'), 10);
});

test('the first transaction of an account has neutral history features', () => {
  const engine = new Engine({ rules: noRules });
  engine.score(
    tx({ account_id: 'new', timestamp: T0, amount: 500, device_id: 'd1', country: 'FI', merchant_id: 'm' }),
  );
  assert.equal(feature(engine, 'account_count_30d'), 0);
  assert.equal(feature(engine, 'amount_zscore_30d'), 0);
  assert.equal(feature(engine, 'amount_ratio_mean_30d'), 1);
  assert.equal(feature(engine, 'seconds_since_last'), -1);
  assert.equal(feature(engine, 'is_new_device'), 0, 'nothing to compare with yet');
  assert.equal(feature(engine, 'is_new_merchant'), 0);
});

test('first-seen merchant, device, country and city, and home city/country after 3 uses', () => {
  const engine = new Engine({ rules: noRules });
  const home = { merchant_id: 'm1', device_id: 'd1', country: 'FI', city: 'Helsinki' };
  for (let i = 0; i < 3; i++) engine.score(tx({ timestamp: T0 + i * HOUR, ...home }));
  engine.score(tx({ timestamp: T0 + 3 * HOUR, ...home }));
  for (const name of [
    'is_new_merchant',
    'is_new_device',
    'is_new_country',
    'is_new_city',
    'outside_home_city',
  ]) {
    assert.equal(feature(engine, name), 0, name);
  }
  engine.score(
    tx({ timestamp: T0 + 4 * HOUR, merchant_id: 'm2', device_id: 'd2', country: 'EE', city: 'Tallinn' }),
  );
  for (const name of ['is_new_merchant', 'is_new_device', 'is_new_country', 'is_new_city']) {
    assert.equal(feature(engine, name), 1, name);
  }
  assert.equal(feature(engine, 'outside_home_city'), 1);
  assert.equal(feature(engine, 'outside_home_country'), 1);
  engine.score(
    tx({ timestamp: T0 + 5 * HOUR, merchant_id: 'm2', device_id: 'd2', country: 'EE', city: 'tallinn' }),
  );
  assert.equal(feature(engine, 'is_new_device'), 0, 'the second use is not new');
  assert.equal(feature(engine, 'is_new_city'), 0, 'cities compare case-insensitively');
  assert.equal(feature(engine, 'outside_home_city'), 1, 'Helsinki is still home');
});

test('distance from the usual locations, hour, night and weekend (UTC)', () => {
  const engine = new Engine({ rules: noRules });
  const helsinki = { latitude: 60.1699, longitude: 24.9384 };
  engine.score(tx({ timestamp: T0, ...helsinki }));
  engine.score(tx({ timestamp: T0 + HOUR, ...helsinki }));
  assert.ok(feature(engine, 'distance_from_home_km') < 0.001);
  // Turku is about 150 km from Helsinki
  engine.score(tx({ timestamp: Date.UTC(2026, 2, 7, 3, 15), latitude: 60.4518, longitude: 22.2666 }));
  const km = feature(engine, 'distance_from_home_km');
  assert.ok(km > 140 && km < 160, `Helsinki-Turku ${km} km`);
  assert.equal(feature(engine, 'hour_of_day'), 3);
  assert.equal(feature(engine, 'is_night'), 1);
  assert.equal(feature(engine, 'is_weekend'), 1, '2026-03-07 is a Saturday');
  engine.score(tx({ timestamp: T0, account_id: 'no-coordinates' }));
  assert.equal(feature(engine, 'distance_from_home_km'), -1);
  assert.equal(feature(engine, 'is_weekend'), 0);
});

test('merchant counts over 1, 7 and 30 days', () => {
  const engine = new Engine({ rules: noRules });
  const at = [T0 - 29 * DAY, T0 - 6 * DAY, T0 - 23 * HOUR, T0 - HOUR];
  at.forEach((timestamp, i) => engine.score(tx({ account_id: `a${i}`, merchant_id: 'shop', timestamp })));
  engine.score(tx({ account_id: 'z', merchant_id: 'shop', timestamp: T0 }));
  assert.equal(feature(engine, 'merchant_count_1d'), 2);
  assert.equal(feature(engine, 'merchant_count_7d'), 3);
  assert.equal(feature(engine, 'merchant_count_30d'), 4);
});

test('a label given at t is invisible before t + delay, visible from then on', () => {
  const delay = 7 * DAY;
  const engine = new Engine({ rules: noRules, labelDelayMs: delay, recentTransactions: 10 });
  const first = tx({ account_id: 'victim', merchant_id: 'bad-shop', timestamp: T0 });
  engine.score(first);
  assert.equal(engine.feedback(first.transaction_id, 'fraud', T0 + DAY), true, 'merchant found from memory');
  const baseline = (0 + 0.5) / (0 + 50);
  engine.score(tx({ account_id: 'b', merchant_id: 'bad-shop', timestamp: T0 + DAY + delay - 1 }));
  assert.equal(feature(engine, 'merchant_fraud_rate'), baseline, 'one millisecond before: not yet known');
  assert.equal(feature(engine, 'merchant_labels_known'), 0);
  engine.score(tx({ account_id: 'c', merchant_id: 'bad-shop', timestamp: T0 + DAY + delay }));
  assert.equal(feature(engine, 'merchant_labels_known'), 1, 'known exactly at t + delay');
  assert.equal(feature(engine, 'merchant_fraud_rate'), 1.5 / 51);
  assert.equal(feature(engine, 'merchant_fraud_rate_30d'), 1.5 / 51);
  engine.score(tx({ account_id: 'd', merchant_id: 'bad-shop', timestamp: T0 + DAY + delay + 31 * DAY }));
  assert.equal(feature(engine, 'merchant_fraud_rate_30d'), baseline, 'out of the 30-day label window');
  assert.equal(feature(engine, 'merchant_fraud_rate'), 1.5 / 51, 'still in the all-time rate');
  assert.equal(engine.feedback('never-seen', 'fraud', T0), false);
});

test('a dry run (record: false) computes features without changing state', () => {
  const engine = new Engine({ rules: noRules });
  engine.score(tx({ timestamp: T0, amount: 10 }));
  engine.score(tx({ timestamp: T0 + 2 * HOUR, amount: 10 }), { record: false });
  engine.score(tx({ timestamp: T0 + HOUR, amount: 10 }));
  assert.equal(feature(engine, 'account_count_1h'), 0, 'the dry run left nothing behind');
  assert.equal(feature(engine, 'account_tx_total'), 1);
});

test('account state survives snapshot and restore (the shared-store contract)', () => {
  const a = new Engine({ rules: noRules });
  const b = new Engine({ rules: noRules });
  const history = (i: number) =>
    tx({
      account_id: 's',
      timestamp: T0 + i * HOUR,
      amount: 5 + i,
      device_id: `d${i % 3}`,
      city: 'Oslo',
      latitude: 60,
      longitude: 25,
    });
  for (let i = 0; i < 40; i++) a.score(history(i));
  const words = a.featureStore.accounts.snapshot('s');
  assert.ok(words !== null);
  assert.equal(b.featureStore.accounts.snapshot('s'), null);
  b.featureStore.accounts.restore('s', words);
  const next = tx({
    account_id: 's',
    timestamp: T0 + 41 * HOUR,
    amount: 900,
    device_id: 'd9',
    city: 'Paris',
    latitude: 48.8,
    longitude: 2.3,
  });
  a.score(next);
  b.score(next);
  assert.deepEqual([...b.features], [...a.features]);
  assert.equal(b.featureStore.accounts.total('s'), 41);
});

test('habit: amount against (t - 30d, t - 7d], which last week cannot shift; ratios to the 24-hour and 7-day means', () => {
  const engine = new Engine({ rules: noRules });
  // The habit: 10, 20, 30 between 8 and 29 days ago; then a week of large amounts (a takeover).
  for (const [days, amount] of [
    [29, 10],
    [20, 20],
    [8, 30],
    [6, 500],
    [2, 500],
  ] as const) {
    engine.score(tx({ account_id: 'h', timestamp: T0 - days * DAY, amount }));
  }
  engine.score(tx({ account_id: 'h', timestamp: T0 - HOUR, amount: 100 }));
  engine.score(tx({ account_id: 'h', timestamp: T0, amount: 400 }));
  assert.equal(feature(engine, 'account_count_habit'), 3);
  assert.ok(Math.abs(feature(engine, 'account_mean_habit') - 20) < 1e-9);
  assert.ok(Math.abs(feature(engine, 'amount_ratio_habit') - 20) < 1e-9);
  // population std of 10, 20, 30 is sqrt(200/3)
  assert.ok(Math.abs(feature(engine, 'amount_zscore_habit') - 380 / Math.sqrt(200 / 3)) < 1e-6);
  assert.equal(feature(engine, 'amount_ratio_mean_24h'), 4);
  assert.ok(Math.abs(feature(engine, 'amount_ratio_mean_7d') - 400 / (1100 / 3)) < 1e-9);
  // one in the last 24 hours against 3 habit transactions over 23 days
  assert.ok(Math.abs(feature(engine, 'account_pace_vs_habit') - 2 / (3 / 23 + 1)) < 1e-9);
});

test('habit window boundaries: exactly 7 days ago is habit, exactly 30 days ago is out', () => {
  const engine = new Engine({ rules: noRules });
  engine.score(tx({ account_id: 'b', timestamp: T0 - 30 * DAY, amount: 1000 }));
  engine.score(tx({ account_id: 'b', timestamp: T0 - 7 * DAY, amount: 50 }));
  engine.score(tx({ account_id: 'b', timestamp: T0 - 7 * DAY + 1, amount: 9 }));
  engine.score(tx({ account_id: 'b', timestamp: T0, amount: 100 }));
  assert.equal(feature(engine, 'account_count_habit'), 1, 'only the payment exactly 7 days ago');
  assert.equal(feature(engine, 'account_mean_habit'), 50);
  assert.equal(feature(engine, 'amount_ratio_habit'), 2);
  assert.equal(feature(engine, 'amount_zscore_habit'), 0, 'fewer than 3 habit payments');
  const fresh = new Engine({ rules: noRules });
  fresh.score(tx({ account_id: 'n', timestamp: T0, amount: 100 }));
  assert.equal(feature(fresh, 'account_count_habit'), 0);
  assert.equal(feature(fresh, 'amount_ratio_habit'), 1, 'neutral without habit');
  assert.equal(feature(fresh, 'account_pace_vs_habit'), 1);
});

test("account_merchant_uses counts the account's earlier payments at this merchant", () => {
  const engine = new Engine({ rules: noRules });
  for (let i = 0; i < 3; i++)
    engine.score(tx({ account_id: 'u', merchant_id: 'cafe', timestamp: T0 + i * HOUR }));
  engine.score(tx({ account_id: 'u', merchant_id: 'cafe', timestamp: T0 + 3 * HOUR }));
  assert.equal(feature(engine, 'account_merchant_uses'), 3);
  engine.score(tx({ account_id: 'u', merchant_id: 'kiosk', timestamp: T0 + 4 * HOUR }));
  assert.equal(feature(engine, 'account_merchant_uses'), 0, 'a new merchant');
  engine.score(tx({ account_id: 'u', timestamp: T0 + 5 * HOUR }));
  assert.equal(feature(engine, 'account_merchant_uses'), 0, 'no merchant');
});

test('merchant label windows: 1, 7 and 30 days of labels as they became known, never before their delay', () => {
  const delay = 7 * DAY;
  const engine = new Engine({ rules: noRules, labelDelayMs: delay });
  const pay = (id: string, at: number, fraud: boolean): void => {
    engine.score(tx({ transaction_id: id, account_id: id, merchant_id: 'term', timestamp: at }));
    engine.feedback(id, fraud ? 'fraud' : 'legit', at, 'term');
  };
  const probe = (at: number): Record<string, number> => {
    engine.score(tx({ account_id: 'probe', merchant_id: 'term', timestamp: at }), { record: false });
    const out: Record<string, number> = {};
    for (const w of ['1d', '7d', '30d']) {
      out[`labels_${w}`] = feature(engine, `merchant_labels_${w}`);
      out[`fraud_${w}`] = feature(engine, `merchant_fraud_labels_${w}`);
      out[`share_${w}`] = feature(engine, `merchant_fraud_share_${w}`);
    }
    out.days = feature(engine, 'merchant_days_since_fraud_label');
    return out;
  };
  pay('p1', T0, true);
  pay('p2', T0 + HOUR, false);
  let f = probe(T0 + delay - 1);
  assert.equal(f.labels_30d, 0, 'one millisecond before the first label is known');
  assert.equal(f.share_1d, 0, 'no labels: share 0');
  assert.equal(f.days, -1, 'no fraud label known yet');
  f = probe(T0 + delay + 2 * HOUR);
  assert.deepEqual([f.labels_1d, f.fraud_1d, f.share_1d], [2, 1, 0.5]);
  assert.equal(f.labels_7d, 2);
  assert.ok(Math.abs(f.days! - 2 / 24) < 1e-9);
  f = probe(T0 + delay + DAY);
  assert.deepEqual([f.labels_1d, f.fraud_1d], [1, 0], 'known exactly a day ago: out of the 1-day window');
  assert.deepEqual([f.labels_7d, f.fraud_7d], [2, 1]);
  pay('p3', T0 + 10 * DAY, true);
  f = probe(T0 + 10 * DAY + delay);
  assert.deepEqual([f.labels_1d, f.fraud_1d, f.share_1d], [1, 1, 1], 'p3 known exactly now');
  assert.deepEqual([f.labels_7d, f.fraud_7d], [1, 1], 'p1 and p2 became known 10 days ago');
  assert.deepEqual([f.labels_30d, f.fraud_30d], [3, 2]);
  assert.equal(f.days, 0);
});

test('merchant_fraud_accounts_*: distinct accounts behind the fraud labels known in 7 and 30 days', () => {
  const delay = 7 * DAY;
  const engine = new Engine({ rules: noRules, labelDelayMs: delay });
  const pay = (id: string, account: string, at: number, fraud: boolean): void => {
    engine.score(tx({ transaction_id: id, account_id: account, merchant_id: 'term', timestamp: at }));
    engine.feedback(id, fraud ? 'fraud' : 'legit', at, 'term', account);
  };
  const probe = (at: number): [number, number] => {
    engine.score(tx({ account_id: 'probe', merchant_id: 'term', timestamp: at }), { record: false });
    return [feature(engine, 'merchant_fraud_accounts_7d'), feature(engine, 'merchant_fraud_accounts_30d')];
  };
  // one stolen card spends three times, one other card once; a legitimate payment is no fraud account
  pay('a1', 'stolen', T0, true);
  pay('a2', 'stolen', T0 + HOUR, true);
  pay('a3', 'stolen', T0 + 2 * HOUR, true);
  pay('b1', 'other', T0 + 3 * HOUR, true);
  pay('c1', 'honest', T0 + 4 * HOUR, false);
  assert.deepEqual(probe(T0 + delay - 1), [0, 0], 'no label is known before its delay');
  assert.deepEqual(probe(T0 + delay + HOUR), [1, 1], 'three labels of one account count once');
  assert.deepEqual(probe(T0 + delay + 5 * HOUR), [2, 2]);
  assert.equal(feature(engine, 'merchant_fraud_labels_7d'), 4, 'while the label count says four');
  // the stolen card's first label became known exactly 7 days before: out of the 7-day window, but its later
  // labels are inside, so the account still counts once
  assert.deepEqual(probe(T0 + 2 * delay), [2, 2]);
  assert.deepEqual(
    probe(T0 + 2 * delay + 2 * HOUR),
    [1, 2],
    'all three of the stolen card known > 7 days ago',
  );
  assert.deepEqual(probe(T0 + 2 * delay + 3 * HOUR), [0, 2], 'exactly 7 days after the other card: out');
  assert.deepEqual(probe(T0 + delay + 30 * DAY + 3 * HOUR), [0, 0]);
  // without an account each fraud label counts as an account of its own
  engine.score(tx({ transaction_id: 'd1', account_id: 'x', merchant_id: 'term', timestamp: T0 + 40 * DAY }));
  engine.feedback('d1', 'fraud', T0 + 40 * DAY, 'term');
  engine.score(
    tx({ transaction_id: 'd2', account_id: 'x', merchant_id: 'term', timestamp: T0 + 40 * DAY + 1 }),
  );
  engine.feedback('d2', 'fraud', T0 + 40 * DAY + 1, 'term');
  assert.deepEqual(probe(T0 + 40 * DAY + delay + HOUR), [2, 2]);
});

test('account_max_7d_ratio_habit: the largest amount of the last 7 days against the habit mean', () => {
  const engine = new Engine({ rules: noRules });
  const pay = (at: number, amount: number, record = true): number => {
    engine.score(tx({ account_id: 'm', timestamp: at, amount }), { record });
    return feature(engine, 'account_max_7d_ratio_habit');
  };
  const near = (actual: number, expected: number, message: string): void =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${message}: ${actual} != ${expected}`);
  assert.equal(pay(T0 - 20 * DAY, 10), 1, 'without habit: 1');
  assert.equal(pay(T0 - 8 * DAY, 30), 0, 'habit (10) but nothing in the last 7 days: 0');
  near(pay(T0 - 7 * DAY, 200), 30 / 10, 'the 30 of a day ago against the habit mean 10');
  near(pay(T0 - 2 * DAY, 90), 200 / 10, '30 and 200 in the last 7 days');
  near(pay(T0 - HOUR, 60), 200 / 20, 'habit 10 and 30 now');
  // the 200 of exactly 7 days ago is habit (mean (10 + 30 + 200) / 3 = 80), not in the last 7 days
  near(pay(T0, 500), 90 / 80, 'exactly 7 days ago is out of the last 7 days');
  near(pay(T0, 5), 500 / 80, 'an earlier transaction with the same timestamp is in');
  // a late transaction sees only the events at or before its own time: not the 500 at T0
  near(pay(T0 - DAY, 5, false), 200 / 20, 'late: habit 10 and 30, the last 7 days 200 and 90');
});

/**
 * A terminal whose payments are labelled with a 7-day delay: `pay` scores a payment of its own account there and
 * labels it, `probe` scores a payment there without recording it and reads `name`.
 */
function labelledTerminal(name: string): {
  engine: Engine;
  delay: number;
  pay: (id: string, at: number, fraud: boolean) => void;
  probe: (at: number) => number;
} {
  const delay = 7 * DAY;
  const engine = new Engine({ rules: noRules, labelDelayMs: delay });
  const pay = (id: string, at: number, fraud: boolean): void => {
    engine.score(tx({ transaction_id: id, account_id: id, merchant_id: 'term', timestamp: at }));
    engine.feedback(id, fraud ? 'fraud' : 'legit', at, 'term', id);
  };
  const probe = (at: number): number => {
    engine.score(tx({ account_id: 'probe', merchant_id: 'term', timestamp: at }), { record: false });
    return feature(engine, name);
  };
  return { engine, delay, pay, probe };
}

test('merchant_fraud_streak: fraud labels since the latest legitimate one, by the time they became known', () => {
  const { engine, delay, pay, probe } = labelledTerminal('merchant_fraud_streak');
  pay('l1', T0, false);
  pay('f1', T0 + HOUR, true);
  pay('f2', T0 + 2 * HOUR, true);
  assert.equal(probe(T0 + delay + HOUR - 1), 0, 'one millisecond before the first fraud label is known');
  assert.equal(probe(T0 + delay + HOUR), 1, 'known exactly now');
  assert.equal(probe(T0 + delay + 2 * HOUR), 2);
  pay('l2', T0 + 3 * HOUR, false);
  assert.equal(probe(T0 + delay + 3 * HOUR - 1), 2, 'the legitimate label is not known yet');
  assert.equal(probe(T0 + delay + 3 * HOUR), 0, 'a legitimate label ends the run');
  pay('f3', T0 + 4 * HOUR, true);
  assert.equal(probe(T0 + delay + 5 * HOUR), 1);
  // a transaction scored late sees the run as it was at its own time
  assert.equal(probe(T0 + delay + 2 * HOUR + 1), 2, 'late: only labels known at or before its time');
  // a label that arrives out of order takes its place by the time it became known
  engine.feedback('late', 'legit', T0 + 4 * HOUR - 1, 'term', 'someone');
  pay('f4', T0 + 6 * HOUR, true);
  assert.equal(probe(T0 + delay + 6 * HOUR), 2, 'f3 and f4 after the legitimate label known at 4h - 1 ms');
  // labels known 30 days or longer ago are out of the run
  assert.equal(probe(T0 + 4 * HOUR + delay + 30 * DAY - 1), 2);
  assert.equal(probe(T0 + 4 * HOUR + delay + 30 * DAY), 1, 'f3 known exactly 30 days ago is out');
  assert.equal(probe(T0 + 6 * HOUR + delay + 30 * DAY), 0);
  engine.score(tx({ account_id: 'x', timestamp: T0 + 50 * DAY }));
  assert.equal(feature(engine, 'merchant_fraud_streak'), 0, 'without a merchant');
});

test('merchant_fraud_episode_days: days since the oldest fraud label of the last 30 days became known', () => {
  const { engine, delay, pay, probe } = labelledTerminal('merchant_fraud_episode_days');
  pay('l1', T0, false);
  assert.equal(probe(T0 + delay + HOUR), -1, 'a legitimate label starts no episode');
  pay('f1', T0 + HOUR, true);
  assert.equal(probe(T0 + delay + HOUR - 1), -1, 'one millisecond before the fraud label is known');
  assert.equal(probe(T0 + delay + HOUR), 0, 'known exactly now');
  pay('f2', T0 + 2 * DAY, true);
  pay('l2', T0 + 3 * DAY, false);
  assert.equal(probe(T0 + delay + HOUR + 5 * DAY), 5, 'legitimate labels between do not end it');
  // a transaction scored late sees the episode as it was at its own time
  assert.equal(probe(T0 + delay + HOUR + DAY), 1, 'late: f2 is not known yet, f1 is one day old');
  // the window is the last 30 days of learning: f1 leaves it, f2 (known 2 days later, less an hour) is the oldest
  assert.equal(probe(T0 + delay + HOUR + 30 * DAY - 1), (30 * DAY - 1) / DAY, 'f1 still in the window');
  assert.equal(
    probe(T0 + delay + HOUR + 30 * DAY),
    30 - (2 * DAY - HOUR) / DAY,
    'f1 known exactly 30 days ago',
  );
  assert.equal(probe(T0 + delay + 2 * DAY + 30 * DAY), -1, 'no fraud label of the last 30 days');
  pay('f3', T0 + 41 * DAY, true);
  assert.equal(probe(T0 + delay + 42 * DAY), 1);
  // a label that arrives out of order (known before f3, told after) counts by the time it became known
  engine.feedback('late', 'fraud', T0 + 40 * DAY, 'term', 'someone');
  assert.equal(probe(T0 + delay + 42 * DAY), 2, 'the late label, known a day before f3, is the oldest');
  engine.score(tx({ account_id: 'x', timestamp: T0 + 50 * DAY }));
  assert.equal(feature(engine, 'merchant_fraud_episode_days'), -1, 'without a merchant');
});
