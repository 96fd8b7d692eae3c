import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { compileRules, type CompiledRuleSet } from '../../src/engine/rules/index.ts';
import { SnoozeIndex, type ActiveSnooze } from '../../src/engine/rule-snoozes.ts';
import { HOUR, T0, tx } from './helpers.ts';

function rules(doc: unknown): CompiledRuleSet {
  const r = compileRules(doc);
  if (!r.ok) assert.fail(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value;
}

const big = rules({
  version: 'v1',
  rules: [
    { id: 'big', version: 3, when: { field: 'amount', op: '>=', value: 1000 }, score: 0.6, reason: 'big' },
    {
      id: 'huge',
      version: 1,
      when: { field: 'amount', op: '>=', value: 5000 },
      outcome: 'review',
      hold: true,
      reason: 'huge',
    },
  ],
});

const snooze = (partial: Partial<ActiveSnooze>): ActiveSnooze => ({
  id: 'snz-1',
  rule_id: 'big',
  entity_type: 'account',
  entity_id: 'acct-1',
  until: T0 + HOUR,
  ...partial,
});

test('a snoozed rule is skipped for its account only, and the decision says so', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(new SnoozeIndex([snooze({})]));
  const muted = engine.score(tx({ timestamp: T0, amount: 2000, account_id: 'acct-1' }));
  assert.equal(muted.rule_score, 0);
  assert.equal(muted.outcome, 'approve');
  assert.deepEqual(muted.reasons, []);
  assert.deepEqual(muted.snoozed_rules, [
    { rule: 'big@3', snooze_id: 'snz-1', entity_type: 'account', until: T0 + HOUR },
  ]);

  const other = engine.score(tx({ timestamp: T0, amount: 2000, account_id: 'acct-2' }));
  assert.equal(other.rule_score, 0.6);
  assert.equal(other.outcome, 'review');
  assert.equal(other.snoozed_rules, undefined, 'nothing snoozed: no field');
});

test('merchant and device snoozes mute the rule for that merchant or device, not another', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(
    new SnoozeIndex([
      snooze({ id: 'm', entity_type: 'merchant', entity_id: 'merch-1' }),
      snooze({ id: 'd', entity_type: 'device', entity_id: 'dev-1' }),
    ]),
  );
  const byMerchant = engine.score(tx({ timestamp: T0, amount: 2000, merchant_id: 'merch-1' }));
  assert.equal(byMerchant.snoozed_rules?.[0]?.snooze_id, 'm');
  assert.equal(byMerchant.rule_score, 0);
  const byDevice = engine.score(tx({ timestamp: T0, amount: 2000, device_id: 'dev-1' }));
  assert.equal(byDevice.snoozed_rules?.[0]?.snooze_id, 'd');
  const neither = engine.score(
    tx({ timestamp: T0, amount: 2000, merchant_id: 'merch-2', device_id: 'dev-2' }),
  );
  assert.equal(neither.rule_score, 0.6);
  assert.equal(neither.snoozed_rules, undefined);
});

test('only the snoozed rule is skipped: another rule firing on the same transaction counts', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(new SnoozeIndex([snooze({})]));
  const d = engine.score(tx({ timestamp: T0, amount: 6000 }));
  assert.deepEqual(
    d.reasons.map((r) => (r.kind === 'rule' ? r.rule : r.kind)),
    ['huge@1'],
  );
  assert.equal(d.snoozed_rules?.length, 1);
});

test('a snooze mutes transactions dated before its end, not at it (transaction time decides)', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(new SnoozeIndex([snooze({ until: T0 + HOUR })]));
  const before = engine.score(tx({ timestamp: T0 + HOUR - 1, amount: 2000 }));
  assert.equal(before.rule_score, 0);
  const atEnd = engine.score(tx({ timestamp: T0 + HOUR, amount: 2000 }));
  assert.equal(atEnd.rule_score, 0.6);
  assert.equal(atEnd.snoozed_rules, undefined);
});

test('ending a snooze early: the next index without it puts the rule back at once', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(new SnoozeIndex([snooze({})]));
  assert.equal(engine.score(tx({ timestamp: T0, amount: 2000 })).rule_score, 0);
  engine.setSnoozes(new SnoozeIndex([]));
  assert.equal(engine.snoozeIndex, null, 'an empty index is no index: the hot path checks null only');
  assert.equal(engine.score(tx({ timestamp: T0 + 1, amount: 2000 })).rule_score, 0.6);
});

test('of two snoozes of one rule on one entity, the longer one mutes', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(
    new SnoozeIndex([snooze({ id: 'short', until: T0 + 1 }), snooze({ id: 'long', until: T0 + HOUR })]),
  );
  assert.equal(engine.score(tx({ timestamp: T0 + 10, amount: 2000 })).snoozed_rules?.[0]?.snooze_id, 'long');
});

test('a hold rule that fires makes its review a hold; a review without it is not held', () => {
  const engine = new Engine({ rules: big });
  const held = engine.score(tx({ timestamp: T0, amount: 6000 }));
  assert.equal(held.outcome, 'review');
  assert.equal(held.hold, true);
  const review = engine.score(tx({ timestamp: T0, amount: 2000 }));
  assert.equal(review.outcome, 'review');
  assert.equal(review.hold, false);
  assert.equal(engine.score(tx({ timestamp: T0, amount: 10 })).hold, false);
});

test('hold_on_review holds every review and block_and_review, never an approve or a decline', () => {
  const engine = new Engine({ rules: big, settings: { hold_on_review: true } });
  assert.equal(engine.score(tx({ timestamp: T0, amount: 2000 })).hold, true);
  assert.equal(engine.score(tx({ timestamp: T0, amount: 10 })).hold, false);
  engine.setSettings({ thresholds: { review: 0.5, block_and_review: 0.55, decline: 0.59 } });
  const declined = engine.score(tx({ timestamp: T0, amount: 2000 }));
  assert.equal(declined.outcome, 'decline');
  assert.equal(declined.hold, false, 'a decline is final');
  assert.throws(
    () => engine.checkSettings({ hold_on_review: 'yes' as unknown as boolean }),
    /hold_on_review/,
  );
});

test('a snoozed hold rule holds nothing', () => {
  const engine = new Engine({ rules: big });
  engine.setSnoozes(new SnoozeIndex([snooze({ rule_id: 'huge' })]));
  const d = engine.score(tx({ timestamp: T0, amount: 6000 }));
  assert.equal(d.hold, false);
  assert.equal(d.outcome, 'review', 'big still fires');
});

test('hold is validated: a boolean, beside a review outcome or at_least', () => {
  const base = { id: 'r', version: 1, when: { field: 'amount', op: '>', value: 1 }, reason: 'x' };
  const problems = (rule: object) => {
    const r = compileRules({ version: 'v', rules: [{ ...base, ...rule }] });
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  };
  assert.deepEqual(problems({ outcome: 'block_and_review', hold: true }), []);
  assert.deepEqual(problems({ score: 0.3, at_least: 'review', hold: true }), []);
  assert.match(
    problems({ outcome: 'decline', hold: true })[0]!,
    /^rules\[0\]\.hold: goes with outcome review/,
  );
  assert.match(problems({ score: 0.3, hold: true })[0]!, /^rules\[0\]\.hold: goes with "at_least"/);
  assert.match(problems({ outcome: 'review', hold: 'yes' })[0]!, /^rules\[0\]\.hold: must be true or false/);
});
