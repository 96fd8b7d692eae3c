import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRules, compileRules, RULES_LIMITS, validateRules } from '../../src/engine/rules/index.ts';
import { boundedEditDistance, didYouMean, Suggester } from '../../src/engine/rules/suggest.ts';

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

/** Milliseconds `work` takes, after one warm-up run (so the JIT's first pass is not what is measured). */
function timed(work: () => void): number {
  work();
  const start = performance.now();
  work();
  return performance.now() - start;
}

test("the audit's hostile documents are refused by a bounded check, naming the path, in milliseconds", () => {
  const huge = { version: '1', rules: [rule({ when: { field: 'a'.repeat(600_000), op: '>', value: 1 } })] };
  const big = { version: '1', rules: [rule({ when: { field: 'amout'.repeat(40_000), op: '>', value: 1 } })] };
  const listNames = Array.from({ length: 100 }, (_, i) => `list_${'x'.repeat(50)}${i}`);
  const unknownLists = {
    version: '1',
    lists: Object.fromEntries(listNames.map((n) => [n, []])),
    rules: Array.from({ length: 1000 }, (_, i) =>
      rule({ id: `r${i}`, when: { field: 'account_id', op: 'in_list', list: `no_${'y'.repeat(50)}${i}` } }),
    ),
  };
  for (const [name, doc, first] of [
    [
      '600 KB field',
      huge,
      `: the rules document is ${JSON.stringify(huge).length} characters as JSON; at most 262144`,
    ],
    ['200 KB field', big, 'rules[0].when.field: is 200000 characters; at most 128'],
    ['unknown lists', unknownLists, `rules[0].when.list: unknown list "no_${'y'.repeat(37)}…"`],
  ] as const) {
    const report = checkRules(doc);
    assert.equal(report.limited, name !== 'unknown lists' || report.errors.length > RULES_LIMITS.errors);
    assert.equal(`${report.errors[0]!.path}: ${report.errors[0]!.message}`, first, name);
    assert.ok(report.errors.length <= RULES_LIMITS.errors + 1, `${name}: the report is capped`);
    for (const e of report.errors) assert.ok(e.message.length < 300, `${name}: no huge echo`);
    const ms = timed(() => checkRules(doc));
    assert.ok(ms < 100, `${name}: ${ms.toFixed(1)} ms`);
  }
  assert.equal(
    checkRules(unknownLists).errors.at(-1)!.message,
    'more than 100 problems; the first are above',
  );
});

test('each size limit is a problem at its path', () => {
  const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
  const text = (n: number) => 'a'.repeat(n);
  const cases: [unknown, string][] = [
    [
      { version: '1', rules: many(1001, (i) => rule({ id: `r${i}` })) },
      'rules: has 1001 rules; at most 1000',
    ],
    [
      { version: '1', lists: Object.fromEntries(many(101, (i) => [`l${i}`, []])), rules: [rule()] },
      'lists: has 101 lists; at most 100',
    ],
    [
      { version: '1', lists: { big: many(20_001, (i) => `v${i}`) }, rules: [rule()] },
      'lists.big: has 20001 values; at most 20000',
    ],
    [
      { version: '1', lists: { [text(200)]: [] }, rules: [rule()] },
      `lists.${text(40)}…: the name is 200 characters; at most 128`,
    ],
    [
      { version: '1', lists: { l: ['ok', text(257)] }, rules: [rule()] },
      'lists.l[1]: is 257 characters; at most 256',
    ],
    [{ version: text(129), rules: [rule()] }, 'version: is 129 characters; at most 128'],
    [
      { version: '1', rules: [rule({ reason: text(1001) })] },
      'rules[0].reason: is 1001 characters; at most 1000',
    ],
    [
      { version: '1', rules: [rule({ description: text(1001) })] },
      'rules[0].description: is 1001 characters; at most 1000',
    ],
    [
      { version: '1', rules: [rule({ when: { field: 'country', op: '==', value: text(257) } })] },
      'rules[0].when.value: is 257 characters; at most 256',
    ],
    [
      { version: '1', rules: [rule({ when: { field: 'country', op: 'in', value: many(1001, String) } })] },
      'rules[0].when.value: has 1001 values; at most 1000',
    ],
    [
      { version: '1', rules: [rule({ when: { any: many(300, () => leaf) } })] },
      'rules[0].when.any[255]: the rule has more than 256 conditions',
    ],
  ];
  for (const [doc, expected] of cases) {
    const report = checkRules(doc);
    assert.deepEqual(messages(doc), [expected]);
    assert.equal(report.limited, true, expected);
  }
  const fine = { version: '1', rules: [rule({ when: { any: many(255, () => leaf) } })] };
  assert.deepEqual(checkRules(fine), { errors: [], limited: false }, 'just under the limits is valid');
});

test('"did you mean" stays bounded: long names get none, far-off names get none', () => {
  assert.equal(didYouMean('amout', ['amount', 'country']), ' (did you mean "amount"?)');
  assert.equal(didYouMean('x'.repeat(65), ['x'.repeat(64)]), '', 'past 64 characters no suggestion');
  assert.equal(didYouMean(`${'q'.repeat(20)}amount`, ['amount']), '', 'more than 5 edits away');
  const suggester = new Suggester(60); // cells for two comparisons of a 6-character name (band 5)
  assert.equal(suggester.didYouMean('amoutn', ['amount']), ' (did you mean "amount"?)');
  assert.equal(suggester.didYouMean('amoutn', ['amount']), ' (did you mean "amount"?)');
  assert.equal(suggester.didYouMean('amoutn', ['amount']), '', 'the budget is spent');
  for (const [a, b, limit, d] of [
    ['kitten', 'sitting', 3, 3],
    ['kitten', 'sitting', 2, 3],
    ['', 'abc', 5, 3],
    ['abc', 'abc', 0, 0],
    ['flaw', 'lawn', 2, 2],
  ] as const)
    assert.equal(boundedEditDistance(a, b, limit), d, `${a} ${b} ${limit}`);
});
