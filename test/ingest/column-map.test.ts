import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseColumnMap, parseLabel, suggestMap, toLabelledRow } from '../../src/ingest/column-map.ts';

test('--map parses field=COLUMN pairs and names what is wrong', () => {
  const map = parseColumnMap('transaction_id=TX_ID, amount=TX_AMOUNT');
  assert.equal(map.get('amount'), 'TX_AMOUNT');
  assert.throws(() => parseColumnMap('amout=X'), /unknown field "amout"/);
  assert.throws(() => parseColumnMap('amount'), /"amount" is not field=COLUMN/);
  assert.throws(() => parseColumnMap('amount=A,amount=B'), /mapped twice/);
});

test('labels: 0/1, booleans, words; anything else is refused', () => {
  assert.equal(parseLabel('1'), 1);
  assert.equal(parseLabel('fraud'), 1);
  assert.equal(parseLabel(0), 0);
  assert.equal(parseLabel('Legitimate'), 0);
  assert.equal(parseLabel('maybe'), null);
});

test('a mapped row becomes a transaction; errors name the column and the field', () => {
  const map = parseColumnMap(
    'transaction_id=TX_ID,timestamp=TX_DATETIME,account_id=CUSTOMER_ID,merchant_id=TERMINAL_ID,amount=TX_AMOUNT,label=TX_FRAUD',
  );
  const row = toLabelledRow(
    {
      TX_ID: '7',
      TX_DATETIME: '2018-04-01 00:00:31',
      CUSTOMER_ID: '596',
      TERMINAL_ID: '3156',
      TX_AMOUNT: '57.16',
      TX_FRAUD: '0',
    },
    map,
    true,
  );
  assert.ok(row.ok);
  assert.equal(row.tx.amount, 57.16);
  assert.equal(row.tx.timestamp, Date.UTC(2018, 3, 1, 0, 0, 31));
  assert.equal(row.label, 0);
  const bad = toLabelledRow(
    { TX_ID: '8', TX_DATETIME: 'x', CUSTOMER_ID: '1', TX_AMOUNT: '-3', TX_FRAUD: '2' },
    map,
    true,
  );
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.errors.map((e) => e.path),
    ['TX_DATETIME (timestamp)', 'TX_AMOUNT (amount)', 'TX_FRAUD (label)'],
  );
});

test('suggestMap proposes columns named like the missing fields, or COLUMN to fill in', () => {
  const columns = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD'];
  assert.equal(
    suggestMap(['transaction_id', 'timestamp', 'account_id', 'amount', 'label'], columns),
    '--map transaction_id=TRANSACTION_ID,timestamp=TX_DATETIME,account_id=CUSTOMER_ID,amount=TX_AMOUNT,label=TX_FRAUD',
  );
  assert.equal(suggestMap(['amount'], ['when', 'who']), '--map amount=COLUMN');
  // a column that already is a field (merchant_id) is not taken for another one
  assert.equal(suggestMap(['account_id'], ['merchant_id', 'acct_id']), '--map account_id=acct_id');
});
