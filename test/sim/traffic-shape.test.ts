// The legitimate traffic's shape (daily rhythm, mild weekly variation, merchant categories), ids, validity
// of every row, and streaming: what the brief asks of the simulator beyond the scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/simulator/index.ts';
import { transactionToJSON, validateTransaction } from '../../src/engine/transaction.ts';

const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 5); // a Monday, so the 28 days hold exactly 8 weekend days
const rows = [...simulate({ accounts: 2000, days: 28, seed: 21, start })];

test('every row validates, ids are the prefix and a running number', () => {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const checked = validateTransaction(transactionToJSON(r.tx));
    assert.ok(checked.ok, `row ${i}: ${JSON.stringify(checked)}`);
    assert.equal(r.tx.transaction_id, `tx-${String(i + 1).padStart(9, '0')}`);
    assert.ok(r.tx.timestamp >= start && r.tx.timestamp < start + 28 * DAY, 'inside the simulated days');
  }
  const custom = simulate({ accounts: 10, days: 1, seed: 1, idPrefix: 'run7/' }).next().value!;
  assert.equal(custom.tx.transaction_id, 'run7/000000001');
});

test('a daily rhythm: few payments at night, most in the day', () => {
  const byHour = new Array<number>(24).fill(0);
  for (const { tx, label } of rows) if (label === 0) byHour[new Date(tx.timestamp).getUTCHours()]!++;
  const total = byHour.reduce((a, b) => a + b, 0);
  const night = byHour.slice(0, 6).reduce((a, b) => a + b, 0) / total;
  const day = byHour.slice(9, 18).reduce((a, b) => a + b, 0) / total;
  assert.ok(night < 0.1, `${(100 * night).toFixed(1)} % between 00:00 and 06:00`);
  assert.ok(day > 0.5, `${(100 * day).toFixed(1)} % between 09:00 and 18:00`);
  assert.ok(
    byHour.every((n) => n > 0),
    'yet every hour has some traffic',
  );
});

test('weekly variation is mild: weekends a little quieter than weekdays', () => {
  let weekend = 0;
  let weekday = 0;
  for (const { tx } of rows) {
    const dow = new Date(tx.timestamp).getUTCDay();
    if (dow === 0 || dow === 6) weekend++;
    else weekday++;
  }
  const ratio = weekend / 8 / (weekday / 20);
  assert.ok(ratio > 0.75 && ratio < 1, `a weekend day has ${ratio.toFixed(2)}x a weekday's traffic`);
});

test('merchants span the categories and channels of the brief', () => {
  const categories = new Set(rows.map((r) => r.tx.merchant_category));
  for (const c of [
    'groceries',
    'restaurants',
    'fuel',
    'electronics',
    'travel',
    'gambling',
    'crypto',
    'money_transfer',
    'clothing',
    'online_services',
  ])
    assert.ok(categories.has(c), `category ${c}`);
  assert.deepEqual([...new Set(rows.map((r) => r.tx.channel))].sort(), [
    'card_present',
    'ecommerce',
    'transfer',
  ]);
  assert.ok(new Set(rows.map((r) => r.tx.country)).size >= 10, 'accounts and merchants in many countries');
});

test('streams: the first days come out without generating the rest of a long run', () => {
  const started = performance.now();
  let n = 0;
  for (const r of simulate({ accounts: 5000, days: 100_000, seed: 1 })) {
    if (r.tx.timestamp >= Date.UTC(2026, 0, 3)) break;
    n++;
  }
  const ms = performance.now() - started;
  assert.ok(n > 5000, `${n} rows in the first two days`);
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms; a run of 100,000 days would take hours`);
});
