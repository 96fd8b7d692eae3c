import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import type { Decision } from '../../src/engine/decision.ts';
import { F } from '../../src/engine/features/catalog.ts';
import type { ModelSlot, ScoringModel } from '../../src/engine/model.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { Random } from '../../src/simulator/random.ts';
import { HOUR, T0 } from './helpers.ts';

/** An anomaly model whose score follows the amount ratio, so two versions disagree transaction by transaction. */
const anomaly = (version: string, gain: number): ScoringModel => ({
  name: 'iforest',
  version,
  role: 'anomaly',
  predict: (f) => 1 - 1 / (1 + gain * Math.abs(f[F.ratioMean7d]! - 1)),
});

/** A combiner that reads the anomaly score its own set's anomaly model wrote, and the rule score. */
const combiner = (version: string, mix: number): ScoringModel => ({
  name: 'gbdt',
  version,
  role: 'combiner',
  predict: (f) => Math.min(1, mix * f[F.anomalyScore]! + (1 - mix) * f[F.ruleScore]!),
  explain: (f) => [{ feature: 'anomaly_score', value: f[F.anomalyScore]!, contribution: mix }],
});

const champion = (): ModelSlot[] => [
  { model: combiner('gbdt-a', 0.6), weight: 1 },
  { model: anomaly('iforest-a', 0.8), weight: 0.25 },
];
const challenger = (): ModelSlot[] => [
  { model: combiner('gbdt-b', 0.9), weight: 1 },
  { model: anomaly('iforest-b', 3), weight: 0.25 },
];

function traffic(count: number, seed: number): Transaction[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => ({
    transaction_id: `shadow-${seed}-${i}`,
    account_id: `acct-${Math.floor(random.next() * 20)}`,
    merchant_id: `m-${Math.floor(random.next() * 5)}`,
    amount: Math.round(5 + random.next() ** 4 * 4000),
    currency: 'EUR',
    timestamp: T0 + i * 0.1 * HOUR,
  }));
}

/** The decision without the issue 13 fields, to compare with an engine that has no challenger. */
function core(d: Decision): Omit<Decision, 'decided_by' | 'shadow'> {
  const { decided_by: _by, shadow: _shadow, ...rest } = d;
  return rest;
}

test('the shadow score is what the challenger set alone gives, and the outcome is the champion set’s', () => {
  const both = new Engine({ models: champion() });
  both.setChallengerModels(challenger());
  const championAlone = new Engine({ models: champion() });
  const challengerAlone = new Engine({ models: challenger() });
  let differed = 0;
  for (const t of traffic(2000, 7)) {
    const d = both.score(t);
    const c = championAlone.score(t);
    const h = challengerAlone.score(t);
    assert.deepEqual(core(d), core(c), `${t.transaction_id}: the shadow changed the decision`);
    assert.equal(d.decided_by, 'champion');
    assert.deepEqual(d.shadow, { score: h.score, model_version: h.model_version });
    assert.deepEqual(both.features, championAlone.features, 'the vector is the deciding set’s');
    if (h.outcome !== c.outcome) differed++;
  }
  assert.ok(differed > 20, `the two sets should disagree on some outcomes (${differed})`);
});

test('decided by the challenger, a decision is the challenger set’s and the champion scores in the shadow', () => {
  const both = new Engine({ models: champion() });
  both.setChallengerModels(challenger());
  const championAlone = new Engine({ models: champion() });
  const challengerAlone = new Engine({ models: challenger() });
  for (const t of traffic(500, 11)) {
    const d = both.score(t, { decidedBy: 'challenger' });
    const c = championAlone.score(t);
    const h = challengerAlone.score(t);
    assert.deepEqual(core(d), core(h));
    assert.equal(d.decided_by, 'challenger');
    assert.equal(d.model_version, 'gbdt-b+iforest-b');
    assert.deepEqual(d.shadow, { score: c.score, model_version: 'gbdt-a+iforest-a' });
    assert.deepEqual(both.features, challengerAlone.features);
  }
  assert.equal(both.championVersion, 'gbdt-a+iforest-a');
  assert.equal(both.challengerVersion, 'gbdt-b+iforest-b');
});

test('without a challenger there is no shadow and the champion decides whatever is asked', () => {
  const engine = new Engine({ models: champion() });
  const [first, second] = traffic(2, 3);
  const d = engine.score(first!, { decidedBy: 'challenger' });
  assert.equal(d.shadow, null);
  assert.equal(d.decided_by, 'champion');
  assert.equal(engine.challengerVersion, null);
  engine.setChallengerModels(challenger());
  assert.notEqual(engine.score(second!).shadow, null);
  engine.setChallengerModels(null);
  assert.equal(engine.score({ ...second!, transaction_id: 'after-removal' }).shadow, null);
});

test('a failing challenger model changes neither the outcome nor the degraded flag; bypass has no shadow', () => {
  const broken: ScoringModel = { name: 'gbdt', version: 'gbdt-broken', role: 'combiner', predict: () => NaN };
  const engine = new Engine({ models: champion() });
  engine.setChallengerModels([
    { model: broken, weight: 1 },
    { model: anomaly('iforest-b', 3), weight: 0.25 },
  ]);
  const alone = new Engine({ models: champion() });
  const [t] = traffic(1, 5);
  const d = engine.score(t!);
  assert.deepEqual(core(d), core(alone.score(t!)));
  assert.equal(d.degraded, false);
  assert.equal(d.shadow?.model_version, 'iforest-b', 'only the challenger models that answered');
  engine.setSettings({ bypass: true, bypass_score: 0.1 });
  const bypassed = engine.score({ ...t!, transaction_id: 'bypassed' });
  assert.equal(bypassed.shadow, null);
  assert.equal(bypassed.decided_by, 'champion');
});
