/** Rules on a caller's own fields (`attributes.<name>`): validation, evaluation, dry run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src/engine/decision.ts';
import { FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import { Engine } from '../../src/engine/engine.ts';
import { dryRunRules } from '../../src/engine/rules/dry-run.ts';
import { compileRules, validateRules, type CompiledRuleSet } from '../../src/engine/rules/index.ts';
import { validateTransaction, type Transaction } from '../../src/engine/transaction.ts';

const features = new Float64Array(FEATURE_COUNT);

function messages(doc: unknown): string[] {
  return validateRules(doc).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

const doc = (when: unknown) => ({
  version: 'attrs',
  lists: { risky_bins: ['411111', '510510'] },
  rules: [{ id: 'r', version: 1, when, score: 0.5, reason: 'why' }],
});

function compile(when: unknown): CompiledRuleSet {
  const r = compileRules(doc(when));
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.value;
}

function tx(attributes?: Record<string, string | number>): Transaction {
  const r = validateTransaction({
    transaction_id: 't',
    timestamp: Date.UTC(2026, 0, 5, 12),
    account_id: 'a',
    amount: 10,
    currency: 'EUR',
    attributes,
  });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

/** Which of the attribute sets make the condition fire. */
function firing(when: unknown, cases: Record<string, Record<string, string | number> | undefined>): string[] {
  const set = compile(when);
  return Object.entries(cases)
    .filter(([, attributes]) => set.rules[0]!.test(tx(attributes), features))
    .map(([name]) => name);
}

test('validation knows the attributes. prefix: any operator, operands checked, names precise', () => {
  for (const when of [
    { field: 'attributes.card_bin', op: '==', value: '411111' },
    { field: 'attributes.mcc', op: '==', value: 5411 },
    { field: 'attributes.mcc', op: 'in', value: ['5411', 7995] },
    { field: 'attributes.card_bin', op: 'in_list', list: 'risky_bins' },
    { field: 'attributes.risk_points', op: '>=', value: 40 },
    { field: 'attributes.three_ds', op: 'missing' },
  ])
    assert.deepEqual(messages(doc(when)), [], JSON.stringify(when));

  assert.deepEqual(messages(doc({ field: 'attributes.Card-Bin', op: '==', value: 'x' })), [
    'rules[0].when.field: "attributes.Card-Bin" is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.', op: 'exists' })), [
    'rules[0].when.field: "attributes." is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.mcc', op: 'like', value: '54%' })), [
    'rules[0].when.op: must be one of == != > >= < <= in not_in in_list not_in_list exists missing for "attributes.mcc", got string "like"',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.score', op: '>', value: '40' })), [
    'rules[0].when.value: must be a number for ">" on "attributes.score", got string "40"',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.mcc', op: '==', value: true })), [
    'rules[0].when.value: must be a string or a number for "attributes.mcc", got boolean true',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.mcc', op: 'in', value: ['1', null] })), [
    'rules[0].when.value: must be an array of strings or numbers for "in", got an array',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.bin', op: 'in_list', list: 'risky_binz' })), [
    'rules[0].when.list: unknown list "risky_binz" (did you mean "risky_bins"?)',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.a', op: '>', value_field: 'amount' })), [
    'rules[0].when.value_field: is not available for "attributes.a": compare an attribute with a value',
  ]);
  assert.deepEqual(messages(doc({ field: 'attributes.a', op: 'exists', value: 1 })), [
    'rules[0].when.value: "exists" takes no value',
  ]);
  // Without the prefix it is an unknown feature, as before.
  assert.deepEqual(messages(doc({ field: 'card_bin', op: '==', value: '1' })), [
    'rules[0].when.field: unknown feature "card_bin"',
  ]);
});

test('equality and lists match text ignoring case and numbers in either form; a missing attribute is false', () => {
  const cases = {
    number: { mcc: 5411 },
    text: { mcc: '5411' },
    other: { mcc: 5999 },
    missing: { card_bin: '411111' },
    none: undefined,
  };
  assert.deepEqual(firing({ field: 'attributes.mcc', op: '==', value: 5411 }, cases), ['number', 'text']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: '==', value: '5411' }, cases), ['number', 'text']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: '!=', value: 5411 }, cases), ['other']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: 'in', value: ['7995', 5999] }, cases), ['other']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: 'not_in', value: [5411] }, cases), ['other']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: 'exists' }, cases), ['number', 'text', 'other']);
  assert.deepEqual(firing({ field: 'attributes.mcc', op: 'missing' }, cases), ['missing', 'none']);

  const domains = { upper: { email_domain: 'MAILINATOR.com' }, ok: { email_domain: 'bank.fi' }, none: {} };
  assert.deepEqual(firing({ field: 'attributes.email_domain', op: '==', value: 'mailinator.COM' }, domains), [
    'upper',
  ]);
  const bins = { listed: { card_bin: '510510' }, other: { card_bin: '400000' }, none: {} };
  assert.deepEqual(firing({ field: 'attributes.card_bin', op: 'in_list', list: 'risky_bins' }, bins), [
    'listed',
  ]);
  assert.deepEqual(firing({ field: 'attributes.card_bin', op: 'not_in_list', list: 'risky_bins' }, bins), [
    'other',
  ]);
});

test('numeric comparisons take numbers and decimal text; other text and a missing attribute are false', () => {
  const cases = {
    high: { risk_points: 80 },
    edge: { risk_points: 40 },
    low: { risk_points: 3.5 },
    text: { risk_points: '75' },
    words: { risk_points: 'high' },
    missing: { other: 1 },
  };
  assert.deepEqual(firing({ field: 'attributes.risk_points', op: '>=', value: 40 }, cases), [
    'high',
    'edge',
    'text',
  ]);
  assert.deepEqual(firing({ field: 'attributes.risk_points', op: '>', value: 40 }, cases), ['high', 'text']);
  assert.deepEqual(firing({ field: 'attributes.risk_points', op: '<', value: 40 }, cases), ['low']);
  assert.deepEqual(firing({ field: 'attributes.risk_points', op: '<=', value: 40 }, cases), ['edge', 'low']);
  // Under `not` a missing attribute's false turns true, as for any condition.
  assert.deepEqual(firing({ not: { field: 'attributes.risk_points', op: '>=', value: 40 } }, cases), [
    'low',
    'words',
    'missing',
  ]);
});

test('a payload read back from a store (plain JSON) never matches inherited names such as constructor', () => {
  const set = compile({ field: 'attributes.constructor', op: 'exists' });
  const stored = JSON.parse(JSON.stringify(tx({ card_bin: '1' }))) as Transaction;
  assert.equal(set.rules[0]!.test(stored, features), false);
  const withIt = JSON.parse(JSON.stringify(tx({ constructor: 'x' }))) as Transaction;
  assert.equal(set.rules[0]!.test(withIt, features), true);
});

test('the engine decides with attribute rules and names them in the reasons', () => {
  const rules = compileRules({
    version: 'attrs',
    rules: [
      {
        id: 'no_3ds_gambling',
        version: 1,
        when: {
          all: [
            { field: 'attributes.mcc', op: 'in', value: [7995] },
            { field: 'attributes.three_ds', op: '!=', value: 'Y' },
          ],
        },
        outcome: 'decline',
        reason: 'gambling without 3-D Secure',
      },
    ],
  });
  assert.ok(rules.ok);
  const engine = new Engine({ rules: rules.value });
  const declined = engine.score(tx({ mcc: '7995', three_ds: 'N' }));
  assert.equal(declined.outcome, 'decline');
  assert.deepEqual(
    declined.reasons.map((r) => (r.kind === 'rule' ? r.rule : r.kind)),
    ['no_3ds_gambling@1'],
  );
  assert.equal(engine.score(tx({ mcc: '7995', three_ds: 'Y' })).outcome, 'approve');
  assert.equal(engine.score(tx({ mcc: '7995' })).outcome, 'approve', 'three_ds missing: != is false');
  assert.equal(engine.score(tx()).outcome, 'approve');
});

test('a dry run tries attribute rules on stored decisions', () => {
  const proposed = compileRules(doc({ field: 'attributes.card_bin', op: 'in_list', list: 'risky_bins' }));
  assert.ok(proposed.ok);
  const row = (id: string, attributes: Record<string, string> | undefined, status: string) => ({
    transaction: { ...tx(attributes), transaction_id: id },
    decision: { outcome: 'approve' as const, model_score: null },
    status,
    features: new Float64Array(FEATURE_COUNT),
  });
  const result = dryRunRules(
    proposed.value,
    [
      row('t1', { card_bin: '411111' }, 'confirmed_fraud'),
      row('t2', { card_bin: '999999' }, 'legitimate'),
      row('t3', undefined, 'open'),
    ],
    DEFAULT_THRESHOLDS,
  );
  assert.equal(result.evaluated, 3);
  assert.equal(result.fired, 1);
  assert.equal(result.fired_confirmed_fraud, 1);
  assert.deepEqual(result.rules, [{ rule: 'r@1', fired: 1, confirmed_fraud: 1, legitimate: 0 }]);
});
