import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, validateRules } from '../../src/engine/rules/index.ts';

const leaf = { field: 'amount', op: '>=', value: 100 };
const rule = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'r',
  version: 1,
  when: leaf,
  score: 0.5,
  reason: 'why',
  ...extra,
});

function messages(doc: unknown): string[] {
  return validateRules(doc).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

test('a misspelt feature gets its place and a suggestion', () => {
  const doc = {
    version: '1',
    rules: [
      rule({ id: 'a' }),
      rule({ id: 'b' }),
      rule({ id: 'c' }),
      rule({ id: 'd', when: { field: 'amout', op: '>', value: 1 } }),
    ],
  };
  assert.deepEqual(messages(doc), ['rules[3].when.field: unknown feature "amout" (did you mean "amount"?)']);
  assert.deepEqual(
    messages({ version: '1', rules: [rule({ when: { field: 'zzzzqqq', op: '>', value: 1 } })] }),
    ['rules[0].when.field: unknown feature "zzzzqqq"'],
  );
});

test('each kind of problem is reported with its path', () => {
  const doc = {
    version: '',
    extra: 1,
    lists: { blocked_accounts: ['a', 2] },
    rules: [
      rule({ id: 'dup' }),
      rule({ id: 'dup', version: 0 }),
      rule({ id: 'Bad-Id', score: 1.5 }),
      rule({ id: 'both', outcome: 'decline' }),
      rule({ id: 'forced', score: undefined, outcome: 'reject' }),
      rule({ id: 'noreason', reason: '' }),
      rule({ id: 'numval', when: { field: 'amount', op: '>', value: 'x' } }),
      rule({ id: 'badop', when: { field: 'amount', op: 'in', value: [1] } }),
      rule({ id: 'textop', when: { field: 'country', op: '>', value: 'FI' } }),
      rule({ id: 'inval', when: { field: 'country', op: 'in', value: 'FI' } }),
      rule({ id: 'list', when: { field: 'account_id', op: 'in_list', list: 'blocked_acounts' } }),
      rule({
        id: 'nest',
        when: { all: [leaf, { any: [] }, { not: { field: 'amount', op: '<', value_field: 'nope' } }] },
      }),
      rule({ id: 'typo', wen: leaf, when: undefined }),
      rule({ id: 'exists', when: { field: 'device_id', op: 'exists', value: 'x' } }),
    ],
  };
  assert.deepEqual(messages(doc), [
    'extra: unknown key',
    'version: must be a non-empty string, got string ""',
    'lists.blocked_accounts[1]: must be a string, got number 2',
    'rules[1].id: duplicate id "dup" (also rules[0])',
    'rules[1].version: must be a positive integer, got number 0',
    'rules[2].id: must be snake_case: a-z, 0-9, _ (at most 64)',
    'rules[2].score: must be a number in (0,1], got number 1.5',
    'rules[3]: needs exactly one of "score" (a weight) or "outcome" (a forced outcome)',
    'rules[4].outcome: must be one of approve, review, block_and_review, decline, got string "reject"',
    'rules[5].reason: must be a non-empty string',
    'rules[6].when.value: must be a number for field "amount", got string "x"',
    'rules[7].when.op: must be one of == != > >= < <= for numeric field "amount", got string "in"',
    'rules[8].when.op: must be one of == != in not_in in_list not_in_list exists missing for text field "country", got string ">"',
    'rules[9].when.value: must be an array of strings for "in", got string "FI"',
    'rules[10].when.list: unknown list "blocked_acounts" (did you mean "blocked_accounts"?)',
    'rules[11].when.all[1].any: must be a non-empty array of conditions',
    'rules[11].when.all[2].not.value_field: unknown feature string "nope"',
    'rules[12].wen: unknown key (did you mean "when"?)',
    'rules[12].when: is required',
    'rules[13].when.value: "exists" takes no value',
  ]);
});

test('garbage never throws and always explains itself', () => {
  const garbage: unknown[] = [
    null,
    undefined,
    0,
    'rules',
    [],
    [1, 2],
    { rules: null },
    { version: 'v', rules: [null, 5, []] },
    { version: 'v', rules: [{ when: { all: [null, { not: 7 }] } }] },
    { version: 'v', rules: 'x', lists: [] },
  ];
  for (const doc of garbage) {
    const errors = validateRules(doc);
    assert.ok(errors.length > 0, `refused: ${JSON.stringify(doc)}`);
    for (const e of errors) assert.ok(e.message.length > 0);
    assert.equal(compileRules(doc).ok, false);
  }
  let deep: Record<string, unknown> = leaf;
  for (let i = 0; i < 40; i++) deep = { not: deep };
  assert.match(messages({ version: 'v', rules: [rule({ when: deep })] })[0]!, /nest deeper than 16/);
});

test('missing version and rules are required', () => {
  assert.deepEqual(messages({}), ['version: is required', 'rules: is required']);
});
