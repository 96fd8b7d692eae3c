import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES, indexOfFeature } from '../../src/engine/features/catalog.ts';
import { compileRules, loadDefaultRules, type CompiledRuleSet } from '../../src/engine/rules/index.ts';
import type { Transaction } from '../../src/engine/transaction.ts';

const baseTx: Transaction = {
  transaction_id: 't',
  timestamp: Date.UTC(2026, 0, 5, 12),
  account_id: 'a',
  amount: 100,
  currency: 'EUR',
};

function vector(values: Record<string, number>): Float64Array {
  const f = new Float64Array(FEATURE_NAMES.length);
  f[indexOfFeature('distance_from_home_km')] = -1;
  f[indexOfFeature('seconds_since_last')] = -1;
  for (const [name, v] of Object.entries(values)) {
    const i = indexOfFeature(name);
    assert.ok(i >= 0, name);
    f[i] = v;
  }
  return f;
}

function fired(set: CompiledRuleSet, tx: Partial<Transaction>, features: Record<string, number>): string[] {
  const f = vector({ amount: tx.amount ?? baseTx.amount, ...features });
  const t = { ...baseTx, ...tx };
  return set.rules.filter((r) => r.test(t, f)).map((r) => r.id);
}

function compile(doc: unknown): CompiledRuleSet {
  const r = compileRules(doc);
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.value;
}

const defaults = loadDefaultRules();

test('high amount vs history: the seed example fires, ordinary amounts do not', () => {
  const history = { account_count_30d: 50, account_tx_total: 50, account_mean_30d: 150 };
  assert.deepEqual(fired(defaults, { amount: 8000 }, { ...history, amount_ratio_mean_30d: 8000 / 150 }), [
    'high_amount_vs_history',
    'extreme_amount_vs_history',
  ]);
  assert.deepEqual(fired(defaults, { amount: 700 }, { ...history, amount_ratio_mean_30d: 700 / 150 }), []);
  assert.deepEqual(
    fired(
      defaults,
      { amount: 8000 },
      { account_count_30d: 2, account_tx_total: 2, amount_ratio_mean_30d: 53 },
    ),
    [],
    'too little history',
  );
});

test('velocity: more than 10 in an hour (10 earlier), threshold is a plain value', () => {
  assert.deepEqual(fired(defaults, {}, { account_count_1h: 10, account_mean_1h: 50 }), ['velocity_1h']);
  assert.deepEqual(fired(defaults, {}, { account_count_1h: 9, account_mean_1h: 50 }), []);
  const doc = structuredClone(defaults.document) as { rules: { id: string; when: { value: number } }[] };
  doc.rules.find((r) => r.id === 'velocity_1h')!.when.value = 5;
  assert.deepEqual(fired(compile(doc), {}, { account_count_1h: 5, account_mean_1h: 50 }), ['velocity_1h']);
});

test('risky category away from home: the seed Gambling example, case-insensitive; not at home', () => {
  assert.deepEqual(fired(defaults, { merchant_category: 'Gambling' }, { outside_home_city: 1 }), [
    'risky_category_away_from_home',
  ]);
  assert.deepEqual(fired(defaults, { merchant_category: 'CRYPTO' }, { outside_home_country: 1 }), [
    'risky_category_away_from_home',
  ]);
  assert.deepEqual(fired(defaults, { merchant_category: 'Gambling' }, {}), []);
  assert.deepEqual(fired(defaults, { merchant_category: 'groceries' }, { outside_home_city: 1 }), []);
});

test('new device with a high amount', () => {
  assert.deepEqual(fired(defaults, { amount: 900 }, { is_new_device: 1, amount_ratio_mean_30d: 3 }), [
    'new_device_high_amount',
  ]);
  assert.deepEqual(fired(defaults, { amount: 900 }, { is_new_device: 0, amount_ratio_mean_30d: 3 }), []);
  assert.deepEqual(fired(defaults, { amount: 90 }, { is_new_device: 1, amount_ratio_mean_30d: 3 }), []);
});

test('card testing, impossible travel, new country at night, merchant with recent fraud', () => {
  assert.deepEqual(fired(defaults, { amount: 1 }, { account_count_1h: 4, account_mean_1h: 1.5 }), [
    'card_testing_burst',
  ]);
  assert.deepEqual(fired(defaults, { amount: 1 }, { account_count_1h: 4, account_mean_1h: 40 }), []);
  assert.deepEqual(fired(defaults, {}, { distance_from_home_km: 1500, seconds_since_last: 600 }), [
    'impossible_travel',
  ]);
  assert.deepEqual(fired(defaults, {}, { distance_from_home_km: 1500, seconds_since_last: 86_400 }), []);
  assert.deepEqual(fired(defaults, {}, { is_new_country: 1, is_night: 1 }), ['new_country_at_night']);
  assert.deepEqual(fired(defaults, {}, { is_new_country: 1, is_night: 0 }), []);
  assert.deepEqual(fired(defaults, {}, { merchant_fraud_rate_30d: 0.2 }), ['merchant_with_recent_fraud']);
  assert.deepEqual(fired(defaults, {}, { merchant_fraud_rate_30d: 0.01 }), []);
});

test('allow and block lists for accounts, merchants, devices and IPs', () => {
  const doc = structuredClone(defaults.document) as { lists: Record<string, string[]> };
  Object.assign(doc.lists, {
    blocked_accounts: ['bad-acct'],
    blocked_merchants: ['bad-shop'],
    blocked_devices: ['bad-dev'],
    blocked_ips: ['6.6.6.6'],
    allowed_accounts: ['vip'],
    allowed_merchants: ['good-shop'],
    allowed_devices: ['good-dev'],
    allowed_ips: ['10.0.0.1'],
  });
  const set = compile(doc);
  assert.deepEqual(fired(set, { account_id: 'bad-acct' }, {}), ['blocked_account']);
  assert.deepEqual(fired(set, { merchant_id: 'BAD-SHOP' }, {}), ['blocked_merchant']);
  assert.deepEqual(fired(set, { device_id: 'bad-dev' }, {}), ['blocked_device']);
  assert.deepEqual(fired(set, { ip: '6.6.6.6' }, {}), ['blocked_ip']);
  assert.deepEqual(fired(set, { account_id: 'vip' }, {}), ['allowed_account']);
  assert.deepEqual(fired(set, { merchant_id: 'good-shop' }, {}), ['allowed_merchant']);
  assert.deepEqual(fired(set, { device_id: 'good-dev' }, {}), ['allowed_device']);
  assert.deepEqual(fired(set, { ip: '10.0.0.1' }, {}), ['allowed_ip']);
  assert.deepEqual(fired(set, { account_id: 'someone' }, {}), []);
  const blocked = set.rules.find((r) => r.id === 'blocked_account')!;
  assert.equal(blocked.outcome, 'decline');
  assert.equal(set.rules.find((r) => r.id === 'allowed_ip')!.outcome, 'approve');
});

test('operators: all/any/not nesting, in/not_in, value_field, exists/missing, disabled rules', () => {
  const set = compile({
    version: 'ops',
    lists: { l: ['X'] },
    rules: [
      {
        id: 'nest',
        version: 1,
        when: {
          all: [
            {
              any: [
                { field: 'country', op: '==', value: 'fi' },
                { field: 'country', op: 'in', value: ['EE'] },
              ],
            },
            { not: { field: 'amount', op: '<', value: 10 } },
          ],
        },
        score: 0.1,
        reason: 'r',
      },
      {
        id: 'notin',
        version: 1,
        when: { field: 'channel', op: 'not_in', value: ['ecommerce'] },
        score: 0.1,
        reason: 'r',
      },
      {
        id: 'notinlist',
        version: 1,
        when: { field: 'city', op: 'not_in_list', list: 'l' },
        score: 0.1,
        reason: 'r',
      },
      {
        id: 'vf',
        version: 1,
        when: { field: 'amount', op: '>', value_field: 'account_mean_30d' },
        score: 0.1,
        reason: 'r',
      },
      { id: 'has_device', version: 1, when: { field: 'device_id', op: 'exists' }, score: 0.1, reason: 'r' },
      { id: 'no_ip', version: 1, when: { field: 'ip', op: 'missing' }, score: 0.1, reason: 'r' },
      { id: 'neq', version: 1, when: { field: 'currency', op: '!=', value: 'eur' }, score: 0.1, reason: 'r' },
      {
        id: 'off',
        version: 1,
        enabled: false,
        when: { field: 'amount', op: '>=', value: 0 },
        score: 0.1,
        reason: 'r',
      },
    ],
  });
  assert.equal(set.rules.length, 7, 'the disabled rule is not compiled in');
  assert.deepEqual(
    fired(
      set,
      { country: 'FI', amount: 50, channel: 'ecommerce', city: 'y', device_id: 'd' },
      { account_mean_30d: 20 },
    ),
    ['nest', 'notinlist', 'vf', 'has_device', 'no_ip'],
  );
  assert.deepEqual(
    fired(
      set,
      { country: 'SE', amount: 5, channel: 'card_present', city: 'X', ip: '1.1.1.1', currency: 'USD' },
      { account_mean_30d: 20 },
    ),
    ['notin', 'neq'],
  );
  assert.ok(
    Object.isFrozen(set.document) && Object.isFrozen(set.rules),
    'a compiled set cannot be changed under a running engine',
  );
});
