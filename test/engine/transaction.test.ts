import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  canonicalTransactionJSON,
  formatErrors,
  parseTimestamp,
  transactionToJSON,
  validateTransaction,
  type Transaction,
} from '../../src/engine/transaction.ts';
import { payloadHash } from '../../src/service/decision-service.ts';
import { simulate } from '../../src/simulator/index.ts';

const good = {
  transaction_id: 't1',
  timestamp: '2026-03-01T12:30:00Z',
  account_id: 'a1',
  amount: 42.5,
  currency: 'eur',
  merchant_id: 'm1',
  country: 'fi',
  latitude: 60.17,
  longitude: 24.94,
};

function errorsOf(input: unknown): string[] {
  const r = validateTransaction(input);
  assert.equal(r.ok, false, 'expected the input to be refused');
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

test('a valid transaction is normalised: epoch ms, upper-case currency and country', () => {
  const r = validateTransaction(good);
  assert.ok(r.ok);
  assert.equal(r.value.timestamp, Date.UTC(2026, 2, 1, 12, 30));
  assert.equal(r.value.currency, 'EUR');
  assert.equal(r.value.country, 'FI');
  assert.equal(r.value.device_id, undefined);
});

test('timestamps: ISO with and without zone (UTC), offsets, epoch ms as number or string', () => {
  assert.equal(parseTimestamp('2026-03-01T12:30:00'), Date.UTC(2026, 2, 1, 12, 30));
  assert.equal(parseTimestamp('2026-03-01 12:30:00.250'), Date.UTC(2026, 2, 1, 12, 30, 0, 250));
  assert.equal(parseTimestamp('2026-03-01T12:30:00+02:00'), Date.UTC(2026, 2, 1, 10, 30));
  assert.equal(parseTimestamp('2026-03-01T12:30:00-0130'), Date.UTC(2026, 2, 1, 14, 0));
  assert.equal(parseTimestamp('2026-03-01'), Date.UTC(2026, 2, 1));
  assert.equal(parseTimestamp(1767225600000), 1767225600000);
  assert.equal(parseTimestamp('1767225600000'), 1767225600000);
  assert.ok(Number.isNaN(parseTimestamp('2026-02-30T00:00:00Z')), 'no 30th of February');
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
  assert.ok(Number.isNaN(parseTimestamp(Number.NaN)));
});

test('every problem is reported with its field, not just the first', () => {
  const errors = errorsOf({ transaction_id: 7.5, amount: -1, currency: 'euro', latitude: 91, longitude: 0 });
  assert.deepEqual(errors, [
    'transaction_id: must be a string, got 7.5',
    'timestamp: is required',
    'account_id: is required',
    'amount: must be a finite number >= 0, got -1',
    'currency: must be a 3-letter ISO 4217 code, got "euro"',
    'latitude: must be a number between -90 and 90, got 91',
  ]);
});

test('NaN, Infinity, negative and absurd values are refused', () => {
  for (const amount of [Number.NaN, Infinity, -Infinity, -0.01, 'abc', true, {}]) {
    const errors = errorsOf({ ...good, amount });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^amount: must be a finite number >= 0/);
  }
  assert.match(
    errorsOf({ ...good, timestamp: 1_700_000_000 })[0]!,
    /^timestamp: must lie between 1990-01-01/,
  );
  assert.match(errorsOf({ ...good, timestamp: '9999-01-01T00:00:00Z' })[0]!, /^timestamp: must lie between/);
  assert.match(errorsOf({ ...good, timestamp: 'soon' })[0]!, /^timestamp: must be an ISO 8601 date-time/);
  assert.match(errorsOf({ ...good, amount: 1e13 })[0]!, /^amount: must be at most/);
  assert.match(errorsOf({ ...good, device_id: ['x'] })[0]!, /^device_id: must be a string, got an array/);
  assert.match(
    errorsOf({ ...good, latitude: undefined })[0]!,
    /^latitude: latitude and longitude must be given together/,
  );
});

test('NUL and unpaired surrogates are refused in every text field; paired ones (emoji) are fine', () => {
  const lone = JSON.parse('"x\\ud800y"') as string; // what a request body's "\ud800" becomes
  for (const field of ['transaction_id', 'account_id', 'merchant_id', 'device_id', 'city']) {
    for (const bad of [lone, 'a\u0000b']) {
      const r = validateTransaction({ ...good, [field]: bad });
      assert.ok(!r.ok, `${field}: ${JSON.stringify(bad)}`);
      if (!r.ok)
        assert.deepEqual(
          r.errors.map((e) => e.path),
          [field],
        );
    }
  }
  const emoji = validateTransaction({ ...good, account_id: 'acct-\u{1f600}', city: 'Zürich' });
  assert.ok(emoji.ok);
});

test('non-objects are refused with a message, never a throw', () => {
  for (const input of [null, undefined, 5, 'x', [], [good]]) {
    const errors = errorsOf(input);
    assert.match(errors[0]!, /must be a JSON object/);
  }
});

test('formatErrors prints one `path: message` per line', () => {
  assert.equal(
    formatErrors([
      { path: 'amount', message: 'must be a finite number >= 0' },
      { path: '', message: 'must be a JSON object' },
    ]),
    'amount: must be a finite number >= 0\nmust be a JSON object',
  );
});

test('the canonical JSON (and so every stored payload hash) is the sorted-keys JSON of the transaction', () => {
  // The definition the stored hashes were made with: sort the keys of transactionToJSON, stringify, SHA-256.
  const reference = (tx: Transaction): string => {
    const json = transactionToJSON(tx);
    return JSON.stringify(
      Object.fromEntries(
        Object.keys(json)
          .sort()
          .map((k) => [k, json[k]]),
      ),
    );
  };
  const samples: Transaction[] = [];
  for (const { tx } of simulate({ accounts: 50, days: 3, seed: 11 })) samples.push(tx);
  const minimal = validateTransaction({
    transaction_id: 'm',
    timestamp: '2026-01-01T00:00:00Z',
    account_id: 'a',
    amount: 1,
    currency: 'EUR',
  });
  const full = validateTransaction({
    ...good,
    channel: 'web',
    device_id: 'd"q',
    ip: '10.0.0.1',
    city: 'Åbo',
  });
  assert.ok(minimal.ok && full.ok);
  samples.push(minimal.value, full.value);
  for (const tx of samples) {
    const canonical = canonicalTransactionJSON(tx);
    assert.equal(canonical, reference(tx), tx.transaction_id);
    assert.equal(payloadHash(tx), createHash('sha256').update(canonical).digest('hex'));
  }
  assert.ok(samples.length > 100);
});

test('strict parsing: amounts and coordinates are plain decimals, timestamps strict ISO 8601 or whole epoch ms', () => {
  const amountOf = (amount: unknown) => validateTransaction({ ...good, amount });
  for (const amount of ['0x10', '1e3', ' 12', '12 ', 'Infinity', '+5', '.5', '5.', '0b11', '1_000'])
    assert.equal(amountOf(amount).ok, false, `amount ${JSON.stringify(amount)}`);
  const parsed = amountOf('16.50');
  assert.ok(parsed.ok);
  assert.equal(parsed.value.amount, 16.5);
  assert.equal(validateTransaction({ ...good, latitude: '0x10', longitude: '1' }).ok, false);
  const place = validateTransaction({ ...good, latitude: '-33.5', longitude: '+151.25' });
  assert.ok(place.ok);
  assert.deepEqual([place.value.latitude, place.value.longitude], [-33.5, 151.25]);

  const year95 = new Date(parseTimestamp('0095-06-01T00:00:00Z'));
  assert.equal(year95.getUTCFullYear(), 95, 'the year as written, not 1995');
  const refused = validateTransaction({ ...good, timestamp: '0095-06-01T00:00:00Z' });
  assert.ok(!refused.ok);
  assert.equal(refused.errors[0]!.path, 'timestamp');
  for (const text of [
    '2026-03-01T10:00:00+99:99',
    '2026-03-01T10:00:00+24:00',
    '2026-03-01T10:00:00+05:60',
    ' 2026-03-01T10:00:00Z',
    '1767225600000.5',
    '1e12',
    '0x10',
    '99999999999999999999999',
  ])
    assert.ok(Number.isNaN(parseTimestamp(text)), text);
  assert.ok(Number.isNaN(parseTimestamp(1767225600000.5)), 'a fraction of a millisecond');
  assert.equal(
    parseTimestamp('2026-03-01T10:00:00+23:59'),
    Date.UTC(2026, 2, 1, 10) - (23 * 60 + 59) * 60_000,
  );
});
