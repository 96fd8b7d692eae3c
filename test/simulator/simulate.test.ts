import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, simulate, type SimulatedTransaction } from '../../src/simulator/index.ts';
import { validateTransaction, transactionToJSON } from '../../src/engine/transaction.ts';

function run(seed: number, accounts = 2000, days = 30): SimulatedTransaction[] {
  return [...simulate({ accounts, days, seed })];
}

const rows = run(7);

test('deterministic for a seed, different for another', () => {
  const again = run(7, 300, 10);
  const same = run(7, 300, 10);
  assert.deepEqual(same, again);
  const other = run(8, 300, 10);
  assert.notDeepEqual(
    other.slice(0, 50).map((r) => r.tx.amount),
    again.slice(0, 50).map((r) => r.tx.amount),
  );
});

test('global timestamp order, unique ids, every row validates', () => {
  const ids = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (i > 0) assert.ok(r.tx.timestamp >= rows[i - 1]!.tx.timestamp, `row ${i} is in time order`);
    assert.ok(!ids.has(r.tx.transaction_id));
    ids.add(r.tx.transaction_id);
    if (i % 97 === 0) {
      const checked = validateTransaction(transactionToJSON(r.tx));
      assert.ok(checked.ok, JSON.stringify(checked));
      // absent optional fields are undefined keys in a validated transaction (one object shape for the engine)
      const present = JSON.parse(JSON.stringify(checked.value));
      assert.deepEqual(present, r.tx, 'the row survives its JSON form unchanged');
    }
  }
});

test('every fraud scenario occurs, and the fraud rate is sane', () => {
  const byScenario = new Map<string, number>();
  let frauds = 0;
  for (const r of rows) {
    byScenario.set(r.scenario, (byScenario.get(r.scenario) ?? 0) + 1);
    frauds += r.label;
    assert.equal(r.label, r.scenario === 'legit' ? 0 : 1);
  }
  for (const s of SCENARIOS) assert.ok((byScenario.get(s) ?? 0) > 0, `scenario ${s} occurs`);
  const rate = frauds / rows.length;
  assert.ok(rate > 0.002 && rate < 0.03, `fraud rate ${rate}`);
  assert.ok(rows.length > 40_000, `${rows.length} rows for 2,000 accounts over 30 days`);
});

test('accounts have their own habits: typical amounts differ by orders of magnitude', () => {
  const sums = new Map<string, { n: number; sum: number }>();
  for (const r of rows) {
    if (r.label === 1) continue;
    const s = sums.get(r.tx.account_id) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += r.tx.amount;
    sums.set(r.tx.account_id, s);
  }
  const means = [...sums.values()]
    .filter((s) => s.n >= 10)
    .map((s) => s.sum / s.n)
    .sort((a, b) => a - b);
  const p10 = means[Math.floor(means.length * 0.1)]!;
  const p90 = means[Math.floor(means.length * 0.9)]!;
  assert.ok(p90 / p10 > 5, `p90/p10 of account means ${p90 / p10}`);
});

test("fraud looks different from the same account's habits (stolen cards spend far more)", () => {
  const legitMean = new Map<string, number[]>();
  for (const r of rows)
    if (r.label === 0)
      (legitMean.get(r.tx.account_id) ?? legitMean.set(r.tx.account_id, []).get(r.tx.account_id)!).push(
        r.tx.amount,
      );
  const ratios: number[] = [];
  for (const r of rows) {
    if (r.scenario !== 'stolen_card') continue;
    const own = legitMean.get(r.tx.account_id);
    if (!own || own.length < 5) continue;
    ratios.push(r.tx.amount / (own.reduce((a, b) => a + b, 0) / own.length));
  }
  ratios.sort((a, b) => a - b);
  assert.ok(ratios.length > 10);
  assert.ok(
    ratios[Math.floor(ratios.length / 2)]! > 2.5,
    `median ratio ${ratios[Math.floor(ratios.length / 2)]}`,
  );
});

test('fraud rate option scales fraud, and 0 turns it off', () => {
  const none = [...simulate({ accounts: 500, days: 10, seed: 3, fraudRate: 0 })];
  assert.equal(none.filter((r) => r.label === 1).length, 0);
  const more = [...simulate({ accounts: 500, days: 10, seed: 3, fraudRate: 0.03 })];
  const base = [...simulate({ accounts: 500, days: 10, seed: 3 })];
  const count = (xs: SimulatedTransaction[]) => xs.filter((r) => r.label === 1).length;
  assert.ok(count(more) > 2 * count(base), `${count(more)} vs ${count(base)}`);
});
