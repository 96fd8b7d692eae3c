import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { ScoringModel } from '../../src/engine/model.ts';
import { compileRules, type CompiledRuleSet } from '../../src/engine/rules/index.ts';
import { DAY, HOUR, T0, tx } from './helpers.ts';

function rules(doc: unknown): CompiledRuleSet {
  const r = compileRules(doc);
  if (!r.ok) assert.fail(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value;
}

const bigAmount = { field: 'amount', op: '>=', value: 1000 };
const scoring = rules({
  version: 'v1',
  rules: [
    { id: 'big', version: 1, when: bigAmount, score: 0.6, reason: 'big amount' },
    {
      id: 'huge',
      version: 2,
      when: { field: 'amount', op: '>=', value: 5000 },
      score: 0.5,
      reason: 'huge amount',
    },
  ],
});

const constant = (value: number, name = 'const'): ScoringModel => ({
  name,
  version: `${name}-1`,
  predict: () => value,
  explain: () => [{ feature: 'amount', value: 1, contribution: 0.7 }],
});

test('noisy-OR of fired rules, thresholds pick the outcome', () => {
  const engine = new Engine({ rules: scoring });
  const small = engine.score(tx({ timestamp: T0, amount: 10 }));
  assert.equal(small.score, 0);
  assert.equal(small.outcome, 'approve');
  assert.deepEqual(small.reasons, []);
  const big = engine.score(tx({ timestamp: T0 + 1, amount: 2000 }));
  assert.equal(big.score, 0.6);
  assert.equal(big.outcome, 'review');
  assert.deepEqual(big.reasons, [{ kind: 'rule', rule: 'big@1', reason: 'big amount', score: 0.6 }]);
  const huge = engine.score(tx({ timestamp: T0 + 2, amount: 9000 }));
  assert.ok(Math.abs(huge.score - 0.8) < 1e-12, '1 - 0.4 * 0.5');
  assert.equal(huge.outcome, 'block_and_review');
  assert.equal(huge.rules_version, 'v1');
});

test('the model score combines with the rule score; reasons name model features on flagged decisions', () => {
  const engine = new Engine({ rules: scoring, models: [{ model: constant(0.5), weight: 1 }] });
  const d = engine.score(tx({ timestamp: T0, amount: 2000 }));
  assert.equal(d.model_score, 0.5);
  assert.ok(Math.abs(d.score - 0.8) < 1e-12, '1 - (1 - 0.6)(1 - 0.5)');
  assert.equal(d.model_version, 'const-1');
  assert.deepEqual(d.reasons[1], {
    kind: 'model',
    model: 'const',
    feature: 'amount',
    value: 1,
    contribution: 0.7,
    text: 'amount 1', // the model's value, in words (the account has no 30-day mean to compare with)
  });
  const weighted = new Engine({
    rules: scoring,
    models: [
      { model: constant(0.2, 'a'), weight: 3 },
      { model: constant(0.6, 'b'), weight: 1 },
    ],
  });
  const w = weighted.score(tx({ timestamp: T0, amount: 1 }));
  assert.ok(Math.abs(w.model_score! - 0.3) < 1e-12, '(3*0.2 + 1*0.6) / 4');
  assert.equal(w.model_version, 'a-1+b-1');
  assert.equal(w.reasons.length, 0, 'approvals carry no model reasons');
});

test('forced outcomes: the most severe wins and beats the score', () => {
  const doc = {
    version: 'lists',
    lists: { vip: ['acct-vip'], stolen: ['acct-stolen'] },
    rules: [
      {
        id: 'allow',
        version: 1,
        when: { field: 'account_id', op: 'in_list', list: 'vip' },
        outcome: 'approve',
        reason: 'allow list',
      },
      {
        id: 'block',
        version: 1,
        when: { field: 'account_id', op: 'in_list', list: 'stolen' },
        outcome: 'decline',
        reason: 'block list',
      },
      { id: 'big', version: 1, when: bigAmount, score: 0.99, reason: 'big' },
      {
        id: 'vip_block',
        version: 1,
        when: { field: 'device_id', op: '==', value: 'evil' },
        outcome: 'decline',
        reason: 'bad device',
      },
    ],
  };
  const engine = new Engine({ rules: rules(doc) });
  assert.equal(engine.score(tx({ timestamp: T0, account_id: 'acct-vip', amount: 5000 })).outcome, 'approve');
  assert.equal(engine.score(tx({ timestamp: T0, account_id: 'acct-stolen', amount: 1 })).outcome, 'decline');
  const both = engine.score(tx({ timestamp: T0, account_id: 'acct-vip', device_id: 'evil' }));
  assert.equal(both.outcome, 'decline', 'an allow list cannot rescue a blocked device');
  assert.deepEqual(
    both.reasons.map((r) => (r.kind === 'rule' ? `${r.rule}:${r.outcome}` : '')),
    ['allow@1:approve', 'vip_block@1:decline'],
  );
});

test('bypass approves everything with the default score, still learning features', () => {
  const engine = new Engine({ rules: scoring, settings: { bypass: true, bypass_score: 0.1 } });
  const d = engine.score(tx({ timestamp: T0, amount: 9000, account_id: 'bp' }));
  assert.deepEqual(
    { outcome: d.outcome, score: d.score, bypassed: d.bypassed, reasons: d.reasons },
    { outcome: 'approve', score: 0.1, bypassed: true, reasons: [] },
  );
  engine.setSettings({ bypass: false });
  const after = engine.score(tx({ timestamp: T0 + HOUR, amount: 9000, account_id: 'bp' }));
  assert.equal(after.bypassed, false);
  assert.equal(after.outcome, 'block_and_review');
  assert.equal(engine.features[0], 9000);
  assert.throws(() => engine.setSettings({ bypass_score: 2 }), /bypass_score/);
  assert.throws(
    () => engine.setSettings({ thresholds: { review: 0.9, block_and_review: 0.5, decline: 0.95 } }),
    /thresholds/,
  );
});

test('degraded: a failing or nonsensical model is left out, rules decide', () => {
  const throwing: ScoringModel = {
    name: 'broken',
    version: 'broken-1',
    predict: () => {
      throw new Error('boom');
    },
  };
  for (const model of [throwing, constant(Number.NaN, 'nan'), constant(1.5, 'big')]) {
    const engine = new Engine({ rules: scoring, models: [{ model, weight: 1 }] });
    const d = engine.score(tx({ timestamp: T0, amount: 2000 }));
    assert.equal(d.degraded, true, model.name);
    assert.equal(d.model_score, null);
    assert.equal(d.score, 0.6, 'the rule score alone');
    assert.equal(d.outcome, 'review');
  }
  const missing = new Engine({ rules: scoring, models: [{ model: null, weight: 1 }] });
  const m = missing.score(tx({ timestamp: T0, amount: 2000 }));
  assert.deepEqual(
    [m.degraded, m.model_score, m.score, m.outcome],
    [true, null, 0.6, 'review'],
    'a missing model',
  );
  const mixed = new Engine({
    rules: scoring,
    models: [
      { model: throwing, weight: 1 },
      { model: constant(0.5), weight: 1 },
    ],
  });
  const d = mixed.score(tx({ timestamp: T0, amount: 1 }));
  assert.equal(d.degraded, true);
  assert.equal(d.model_score, 0.5, 'the healthy model still counts');
  assert.equal(d.model_version, 'const-1', 'only the model that answered is named');
});

test('rule swap is atomic: a decision never mixes two rule sets, even when swapped mid-decision', async () => {
  const setA = rules({
    version: 'A',
    rules: [
      { id: 'a1', version: 1, when: { field: 'amount', op: '>=', value: 0 }, score: 0.1, reason: 'a' },
      { id: 'a2', version: 1, when: { field: 'amount', op: '>=', value: 0 }, score: 0.1, reason: 'a' },
    ],
  });
  const setB = rules({
    version: 'B',
    rules: [
      { id: 'b1', version: 1, when: { field: 'amount', op: '>=', value: 0 }, score: 0.2, reason: 'b' },
      { id: 'b2', version: 1, when: { field: 'amount', op: '>=', value: 0 }, score: 0.2, reason: 'b' },
    ],
  });
  let engine: Engine | null = null;
  let flips = 0;
  // A model that swaps the rule set while a decision is being made: the worst case of "concurrent" change.
  const swapper: ScoringModel = {
    name: 'swapper',
    version: 's',
    predict: () => {
      flips++;
      engine!.setRules(flips % 2 === 0 ? setA : setB);
      return 0;
    },
  };
  engine = new Engine({ rules: setA, models: [{ model: swapper, weight: 1 }] });
  const tasks = Array.from({ length: 200 }, (_, i) =>
    Promise.resolve().then(() => engine!.score(tx({ timestamp: T0 + i, account_id: `c${i % 7}` }))),
  );
  const decisions = await Promise.all(tasks);
  const versions = new Set<string>();
  for (const d of decisions) {
    versions.add(d.rules_version);
    const prefixes = new Set(d.reasons.map((r) => (r.kind === 'rule' ? r.rule[0] : '?')));
    assert.deepEqual([...prefixes], [d.rules_version.toLowerCase()], 'reasons all from the version named');
    assert.equal(d.reasons.length, 2);
  }
  assert.deepEqual([...versions].sort(), ['A', 'B'], 'both sets were used over the run');
});

test('seed example: an 8,000 payment on an account that averages 150 is flagged for high amount', () => {
  const engine = new Engine();
  for (let i = 0; i < 20; i++) {
    engine.score(
      tx({
        account_id: 'seed-1',
        timestamp: T0 - 25 * DAY + i * DAY,
        amount: 150,
        merchant_id: 'grocer',
        city: 'Helsinki',
        country: 'FI',
        device_id: 'phone',
      }),
    );
  }
  const d = engine.score(
    tx({
      account_id: 'seed-1',
      timestamp: T0,
      amount: 8000,
      merchant_id: 'grocer',
      city: 'Helsinki',
      country: 'FI',
      device_id: 'phone',
    }),
  );
  assert.notEqual(d.outcome, 'approve');
  assert.ok(d.score >= 0.5, `score ${d.score}`);
  const fired = d.reasons.filter((r) => r.kind === 'rule').map((r) => r.rule);
  assert.ok(
    fired.some((ref) => /amount/.test(ref)),
    `a high-amount rule fired: ${fired.join(', ')}`,
  );
});

test('seed example: a Gambling payment outside the home city is flagged', () => {
  const engine = new Engine();
  for (let i = 0; i < 10; i++) {
    engine.score(
      tx({
        account_id: 'seed-2',
        timestamp: T0 - 10 * DAY + i * DAY,
        amount: 80,
        merchant_id: `shop${i % 3}`,
        merchant_category: 'groceries',
        city: 'Helsinki',
        country: 'FI',
      }),
    );
  }
  const d = engine.score(
    tx({
      account_id: 'seed-2',
      timestamp: T0,
      amount: 100,
      merchant_id: 'casino',
      merchant_category: 'Gambling',
      city: 'Turku',
      country: 'FI',
    }),
  );
  assert.notEqual(d.outcome, 'approve');
  const fired = d.reasons.filter((r) => r.kind === 'rule').map((r) => r.rule);
  assert.ok(
    fired.some((ref) => /gambl|risky|categor/i.test(ref)),
    `a risky-category rule fired: ${fired.join(', ')}`,
  );
  const home = engine.score(
    tx({
      account_id: 'seed-2',
      timestamp: T0 + HOUR,
      amount: 100,
      merchant_id: 'casino2',
      merchant_category: 'Gambling',
      city: 'Helsinki',
      country: 'FI',
    }),
  );
  assert.ok(
    !home.reasons.some((r) => r.kind === 'rule' && /gambl|risky|categor/i.test(r.rule)),
    'not at home',
  );
});
