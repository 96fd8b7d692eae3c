import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { F } from '../../src/engine/features/catalog.ts';
import type { ScoringModel } from '../../src/engine/model.ts';
import { compileRules, loadDefaultRules, type CompiledRuleSet } from '../../src/engine/rules/index.ts';
import { Random } from '../../src/simulator/random.ts';
import { DAY, T0, tx } from './helpers.ts';

function rules(doc: unknown): CompiledRuleSet {
  const r = compileRules(doc);
  if (!r.ok) assert.fail(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value;
}

const big = rules({
  version: 'v1',
  rules: [
    { id: 'big', version: 1, when: { field: 'amount', op: '>=', value: 1000 }, score: 0.9, reason: 'big' },
  ],
});

/** A combiner that reports what it read, and answers a fixed score. */
function combiner(score: number, seen: { rule: number; anomaly: number }[]): ScoringModel {
  return {
    name: 'gbdt',
    version: 'combiner-1',
    role: 'combiner',
    predict: (f) => {
      seen.push({ rule: f[F.ruleScore]!, anomaly: f[F.anomalyScore]! });
      return score;
    },
  };
}

const anomaly = (score: number): ScoringModel => ({
  name: 'iforest',
  version: 'iforest-1',
  role: 'anomaly',
  predict: () => score,
});

test('a combiner reads the rule and anomaly scores, whatever the slot order, and its score is the decision', () => {
  const seen: { rule: number; anomaly: number }[] = [];
  const engine = new Engine({
    rules: big,
    models: [
      { model: combiner(0.2, seen), weight: 1 },
      { model: anomaly(0.7), weight: 0.25 },
    ],
  });
  const d = engine.score(tx({ timestamp: T0, amount: 5000 }));
  assert.deepEqual(seen, [{ rule: 0.9, anomaly: 0.7 }], 'the anomaly model ran first');
  assert.equal(d.score, 0.2, 'the rules and the anomaly score spoke through the combiner');
  assert.equal(d.model_score, 0.2);
  assert.equal(d.rule_score, 0.9);
  assert.equal(d.outcome, 'approve');
  assert.equal(d.model_version, 'combiner-1+iforest-1');
  const alone = new Engine({ rules: big, models: [{ model: combiner(0.2, seen), weight: 1 }] });
  alone.score(tx({ timestamp: T0, amount: 5 }));
  assert.equal(seen[1]!.rule, 0);
  assert.ok(Number.isNaN(seen[1]!.anomaly), 'no anomaly model: NaN, as in training');
});

test('without a combiner, rules and models still add up by noisy-OR (cold start)', () => {
  const engine = new Engine({ rules: big, models: [{ model: anomaly(0.5), weight: 1 }] });
  const d = engine.score(tx({ timestamp: T0, amount: 5000 }));
  assert.ok(Math.abs(d.score - (1 - 0.1 * 0.5)) < 1e-12);
});

test('a failing combiner leaves the decision to the rules and the other models, marked degraded', () => {
  const broken: ScoringModel = { name: 'gbdt', version: 'broken', role: 'combiner', predict: () => NaN };
  const engine = new Engine({
    rules: big,
    models: [
      { model: broken, weight: 1 },
      { model: anomaly(0.5), weight: 0.25 },
    ],
  });
  const d = engine.score(tx({ timestamp: T0, amount: 5000 }));
  assert.equal(d.degraded, true);
  assert.ok(Math.abs(d.score - (1 - 0.1 * 0.5)) < 1e-12);
});

test('the combined score stays in [0,1] for any rule weights, model answers and features', () => {
  const rng = new Random(11);
  for (let round = 0; round < 200; round++) {
    const weights = Array.from({ length: 4 }, () => Math.max(1e-9, rng.next()));
    const set = rules({
      version: `r${round}`,
      rules: weights.map((w, i) => ({
        id: `r${i}`,
        version: 1,
        when: { field: 'amount', op: '>=', value: i * 100 },
        score: Math.min(1, w),
        reason: 'r',
      })),
    });
    const answers = [rng.next(), 0, 1, NaN, -1, 2, Infinity];
    const pick = (): number => answers[rng.int(answers.length)]!;
    const engine = new Engine({
      rules: set,
      models: [
        { model: { name: 'gbdt', version: 'c', role: 'combiner', predict: pick }, weight: 1 },
        { model: { name: 'iforest', version: 'a', role: 'anomaly', predict: pick }, weight: 0.25 },
      ],
    });
    const d = engine.score(tx({ timestamp: T0, amount: rng.next() * 1000 }));
    assert.ok(d.score >= 0 && d.score <= 1, `round ${round}: ${d.score}`);
  }
});

test('at_least: a firing rule lifts the outcome without changing the score; forced outcomes still win', () => {
  const set = rules({
    version: 'floors',
    lists: { allowed: ['vip'] },
    rules: [
      {
        id: 'large',
        version: 1,
        when: { field: 'amount', op: '>=', value: 1000 },
        score: 0.1,
        at_least: 'block_and_review',
        reason: 'large',
      },
      {
        id: 'allow',
        version: 1,
        when: { field: 'account_id', op: 'in_list', list: 'allowed' },
        outcome: 'approve',
        reason: 'vip',
      },
    ],
  });
  const low = { name: 'gbdt', version: 'low', role: 'combiner' as const, predict: () => 0.01 };
  const engine = new Engine({ rules: set, models: [{ model: low, weight: 1 }] });
  const d = engine.score(tx({ timestamp: T0, amount: 2000 }));
  assert.equal(d.score, 0.01);
  assert.equal(d.outcome, 'block_and_review');
  assert.deepEqual(d.reasons[0], {
    kind: 'rule',
    rule: 'large@1',
    reason: 'large',
    score: 0.1,
    at_least: 'block_and_review',
  });
  const high = new Engine({ rules: set, models: [{ model: { ...low, predict: () => 0.99 }, weight: 1 }] });
  assert.equal(high.score(tx({ timestamp: T0, amount: 2000 })).outcome, 'decline', 'a floor never lowers');
  assert.equal(engine.score(tx({ timestamp: T0, amount: 2000, account_id: 'vip' })).outcome, 'approve');
  const bad = compileRules({
    version: 'x',
    rules: [
      {
        id: 'a',
        version: 1,
        when: { field: 'amount', op: '>', value: 1 },
        outcome: 'review',
        at_least: 'review',
        reason: 'r',
      },
    ],
  });
  assert.ok(!bad.ok && bad.errors.some((e) => e.path === 'rules[0].at_least'));
  const wrong = compileRules({
    version: 'x',
    rules: [
      {
        id: 'a',
        version: 1,
        when: { field: 'amount', op: '>', value: 1 },
        score: 0.2,
        at_least: 'approve',
        reason: 'r',
      },
    ],
  });
  assert.ok(
    !wrong.ok && wrong.errors.some((e) => e.path === 'rules[0].at_least' && /review/.test(e.message)),
  );
  const meta = compileRules({
    version: 'x',
    rules: [
      { id: 'a', version: 1, when: { field: 'anomaly_score', op: '>', value: 0.5 }, score: 0.2, reason: 'r' },
    ],
  });
  assert.ok(!meta.ok, 'rules cannot read the combination inputs: they are not known when rules run');
});

/** Default rules and a model that thinks nothing is risky: the runbooks' examples must still be flagged. */
function careless(): Engine {
  const low = { name: 'gbdt', version: 'low', role: 'combiner' as const, predict: () => 0.01 };
  return new Engine({ rules: loadDefaultRules(), models: [{ model: low, weight: 1 }] });
}

test('seed examples hold whatever the model says: 8,000 against a mean of 150, gambling away from home', () => {
  const engine = careless();
  const home = { merchant_id: 'grocer', city: 'Helsinki', country: 'FI', device_id: 'phone' };
  for (let i = 0; i < 20; i++)
    engine.score(tx({ account_id: 's1', timestamp: T0 - 25 * DAY + i * DAY, amount: 150, ...home }));
  assert.equal(
    engine.score(tx({ account_id: 's1', timestamp: T0, amount: 8000, ...home })).outcome,
    'review',
  );
  for (let i = 0; i < 10; i++) {
    engine.score(
      tx({
        account_id: 's2',
        timestamp: T0 - 10 * DAY + i * DAY,
        amount: 80,
        merchant_category: 'groceries',
        ...home,
      }),
    );
  }
  const away = engine.score(
    tx({
      account_id: 's2',
      timestamp: T0,
      amount: 100,
      merchant_id: 'casino',
      merchant_category: 'Gambling',
      city: 'Turku',
      country: 'FI',
    }),
  );
  assert.equal(away.outcome, 'review');
  const ordinary = engine.score(
    tx({ account_id: 's2', timestamp: T0 + DAY, amount: 90, merchant_category: 'groceries', ...home }),
  );
  assert.equal(ordinary.outcome, 'approve');
});

test("a new account's first payment of 8,000 is reviewed, and held when the category is risky", () => {
  const engine = careless();
  const first = engine.score(
    tx({
      account_id: 'new-1',
      timestamp: T0,
      amount: 8000,
      merchant_id: 'shop',
      merchant_category: 'electronics',
    }),
  );
  assert.equal(first.outcome, 'review');
  assert.ok(first.reasons.some((r) => r.kind === 'rule' && r.rule.startsWith('first_payment_high_amount')));
  const risky = engine.score(
    tx({
      account_id: 'new-2',
      timestamp: T0,
      amount: 8000,
      merchant_id: 'casino',
      merchant_category: 'gambling',
    }),
  );
  assert.equal(risky.outcome, 'block_and_review');
  const small = engine.score(
    tx({
      account_id: 'new-3',
      timestamp: T0,
      amount: 40,
      merchant_id: 'cafe',
      merchant_category: 'restaurants',
    }),
  );
  assert.equal(small.outcome, 'approve', 'an ordinary first payment goes through');
});
