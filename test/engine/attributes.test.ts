import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalTransactionJSON,
  transactionToJSON,
  validateTransaction,
} from '../../src/engine/transaction.ts';
import { payloadHash } from '../../src/service/decision-service.ts';

const base = {
  transaction_id: 't1',
  timestamp: '2026-03-01T12:30:00Z',
  account_id: 'a1',
  amount: 10,
  currency: 'EUR',
};

function errorsOf(input: unknown): string[] {
  const r = validateTransaction(input);
  assert.equal(r.ok, false, 'expected the input to be refused');
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

test('attributes are kept as sent (text and numbers), keys sorted, and appear in the JSON form', () => {
  const r = validateTransaction({
    ...base,
    attributes: { mcc: 5411, card_bin: '012345', three_ds: 'Y', email_domain: 'example.com' },
  });
  assert.ok(r.ok);
  assert.deepEqual(r.value.attributes, {
    card_bin: '012345',
    email_domain: 'example.com',
    mcc: 5411,
    three_ds: 'Y',
  });
  assert.deepEqual(Object.keys(r.value.attributes!), ['card_bin', 'email_domain', 'mcc', 'three_ds']);
  assert.deepEqual(transactionToJSON(r.value).attributes, r.value.attributes);
  assert.match(
    canonicalTransactionJSON(r.value),
    /"amount":10,"attributes":\{"card_bin":"012345","email_domain":"example.com","mcc":5411,"three_ds":"Y"\},"currency"/,
  );
});

test('null and empty attribute values count as absent; an empty or all-empty object means no attributes', () => {
  const some = validateTransaction({ ...base, attributes: { a: null, b: '', c: 'x' } });
  assert.ok(some.ok);
  assert.deepEqual(some.value.attributes, { c: 'x' });
  for (const attributes of [{}, { a: null }, null]) {
    const r = validateTransaction({ ...base, attributes });
    assert.ok(r.ok);
    assert.equal(r.value.attributes, undefined);
    assert.equal('attributes' in transactionToJSON(r.value), false);
  }
});

test('a resubmission with other attributes hashes differently; the same attributes in another order do not', () => {
  const a = validateTransaction({ ...base, attributes: { mcc: '5411', card_bin: '411111' } });
  const b = validateTransaction({ ...base, attributes: { card_bin: '411111', mcc: '5411' } });
  const c = validateTransaction({ ...base, attributes: { card_bin: '411111', mcc: '5999' } });
  const none = validateTransaction(base);
  assert.ok(a.ok && b.ok && c.ok && none.ok);
  assert.equal(payloadHash(a.value), payloadHash(b.value));
  assert.notEqual(payloadHash(a.value), payloadHash(c.value));
  assert.notEqual(payloadHash(a.value), payloadHash(none.value));
});

test('bad attributes are refused naming attributes.<key>', () => {
  assert.deepEqual(errorsOf({ ...base, attributes: ['x'] }), [
    'attributes: must be an object of name: string or number, got an array',
  ]);
  assert.deepEqual(errorsOf({ ...base, attributes: 'card_bin=4111' }), [
    'attributes: must be an object of name: string or number, got "card_bin=4111"',
  ]);
  const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
  assert.deepEqual(errorsOf({ ...base, attributes: many }), ['attributes: has 33 keys; at most 32']);
  const exactly = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i]));
  assert.ok(validateTransaction({ ...base, attributes: exactly }).ok);
  assert.deepEqual(
    errorsOf({
      ...base,
      attributes: {
        'Card-Bin': '1',
        _x: '1',
        ['k'.repeat(41)]: 1,
        three_ds: true,
        nested: { a: 1 },
        note: 'x'.repeat(257),
        nul: 'a\u0000b',
      },
    }),
    [
      'attributes.Card-Bin: is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
      'attributes._x: is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
      `attributes.${'k'.repeat(40)}...: is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)`,
      'attributes.nested: must be a string or a number, got object',
      'attributes.note: must be at most 256 characters',
      'attributes.nul: must not contain NUL or unpaired surrogate characters',
      'attributes.three_ds: must be a string or a number, got boolean',
    ],
  );
  const notFinite = validateTransaction({ ...base, attributes: { ratio: Infinity } });
  assert.ok(!notFinite.ok);
  assert.deepEqual(notFinite.errors, [
    { path: 'attributes.ratio', message: 'must be a finite number, got Infinity' },
  ]);
  // 256 characters is the bound, not past it; 40 characters of name likewise.
  assert.ok(validateTransaction({ ...base, attributes: { ['k'.repeat(40)]: 'x'.repeat(256) } }).ok);
});
