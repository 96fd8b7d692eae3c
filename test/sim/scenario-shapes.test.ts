// Each fraud scenario must carry the signal the brief promises detectors can find (docs/simulator.md):
// these tests read it back from the rows, using only what a detector would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimulatedTransaction } from '../../src/simulator/index.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const rows = [...simulate({ accounts: 2000, days: 30, seed: 7 })];

interface Habits {
  homeCity: string;
  devices: Set<string>;
  meanAmount: number;
}

/** Each account's habits as its legitimate rows show them: the most frequent city, devices, mean amount. */
function habitsOf(all: readonly SimulatedTransaction[]): Map<string, Habits> {
  const cities = new Map<string, Map<string, number>>();
  const devices = new Map<string, Set<string>>();
  const sums = new Map<string, { n: number; sum: number }>();
  for (const { tx, label } of all) {
    if (label === 1) continue;
    const c = cities.get(tx.account_id) ?? new Map<string, number>();
    c.set(tx.city!, (c.get(tx.city!) ?? 0) + 1);
    cities.set(tx.account_id, c);
    devices.set(tx.account_id, (devices.get(tx.account_id) ?? new Set()).add(tx.device_id!));
    const s = sums.get(tx.account_id) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += tx.amount;
    sums.set(tx.account_id, s);
  }
  const out = new Map<string, Habits>();
  for (const [account, c] of cities) {
    const homeCity = [...c.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const s = sums.get(account)!;
    out.set(account, { homeCity, devices: devices.get(account)!, meanAmount: s.sum / s.n });
  }
  return out;
}

const habits = habitsOf(rows);

/** A scenario's rows split into episodes: per account, a new episode after a quiet gap. */
function episodes(scenario: string, gapMs: number): SimulatedTransaction[][] {
  const open = new Map<string, SimulatedTransaction[]>();
  const out: SimulatedTransaction[][] = [];
  for (const r of rows) {
    if (r.scenario !== scenario) continue;
    const current = open.get(r.tx.account_id);
    if (current && r.tx.timestamp - current[current.length - 1]!.tx.timestamp <= gapMs) current.push(r);
    else {
      const fresh = [r];
      open.set(r.tx.account_id, fresh);
      out.push(fresh);
    }
  }
  return out;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test('card_testing: a burst of small online amounts minutes apart, then one larger payment', () => {
  const bursts = episodes('card_testing', 10 * MINUTE);
  assert.ok(bursts.length >= 3, `${bursts.length} bursts`);
  for (const burst of bursts) {
    const small = burst.slice(0, -1);
    const last = burst[burst.length - 1]!;
    assert.ok(small.length >= 5, `burst of ${small.length} small payments`);
    for (const r of small) {
      assert.ok(r.tx.amount >= 0.5 && r.tx.amount <= 5, `small amount ${r.tx.amount}`);
      assert.notEqual(r.tx.channel, 'card_present', 'card testing happens online');
    }
    assert.equal(new Set(small.map((r) => r.tx.merchant_id)).size, 1, 'the small ones hit one shop');
    assert.ok(last.tx.amount > Math.max(...small.map((r) => r.tx.amount)), 'then a larger one');
    const minutes = (last.tx.timestamp - burst[0]!.tx.timestamp) / MINUTE;
    assert.ok(minutes < 60, `the burst spans ${minutes.toFixed(1)} minutes`);
  }
});

test('account_takeover: a device the account never used, another city, large transfers within hours', () => {
  const takeovers = episodes('account_takeover', 3 * 60 * MINUTE);
  assert.ok(takeovers.length >= 3, `${takeovers.length} takeovers`);
  const ratios: number[] = [];
  for (const episode of takeovers) {
    const own = habits.get(episode[0]!.tx.account_id)!;
    assert.ok(episode.length >= 2, 'a few transfers');
    const span = episode[episode.length - 1]!.tx.timestamp - episode[0]!.tx.timestamp;
    assert.ok(span <= 3 * 60 * MINUTE, `within hours (${span / MINUTE} min)`);
    for (const { tx } of episode) {
      assert.ok(!own.devices.has(tx.device_id!), 'a device the account never used');
      assert.notEqual(tx.city, own.homeCity, 'away from home');
      assert.equal(tx.channel, 'transfer');
      ratios.push(tx.amount / own.meanAmount);
    }
  }
  assert.ok(median(ratios) > 3, `median amount is ${median(ratios).toFixed(1)}x the account's mean`);
});

test("stolen_card: amounts far above the account's own, often from a new device or another city", () => {
  const thefts = episodes('stolen_card', 3 * DAY);
  assert.ok(thefts.length >= 10, `${thefts.length} stolen cards`);
  let unusual = 0;
  for (const episode of thefts) {
    const own = habits.get(episode[0]!.tx.account_id)!;
    const { tx } = episode[0]!;
    if (!own.devices.has(tx.device_id!) || tx.city !== own.homeCity) unusual++;
    const days = (episode[episode.length - 1]!.tx.timestamp - tx.timestamp) / DAY;
    assert.ok(days < 4, `a few days (${days.toFixed(1)})`);
  }
  const share = unusual / thefts.length;
  assert.ok(share > 0.3 && share < 1, `new device or city in ${(100 * share).toFixed(0)} % of thefts`);
});

test('compromised_terminal: a few merchants for 2-4 weeks, a large share of their normal-looking traffic', () => {
  const windows = new Map<string, { first: number; last: number }>();
  const ratios: number[] = [];
  for (const { tx, scenario } of rows) {
    if (scenario !== 'compromised_terminal') continue;
    const w = windows.get(tx.merchant_id!) ?? { first: tx.timestamp, last: tx.timestamp };
    w.last = tx.timestamp;
    windows.set(tx.merchant_id!, w);
    ratios.push(tx.amount / habits.get(tx.account_id)!.meanAmount);
  }
  assert.ok(windows.size >= 1 && windows.size <= 20, `${windows.size} compromised merchants`);
  let inWindow = 0;
  let fraud = 0;
  for (const { tx, scenario } of rows) {
    const w = windows.get(tx.merchant_id!);
    if (!w || tx.timestamp < w.first || tx.timestamp > w.last) continue;
    inWindow++;
    if (scenario === 'compromised_terminal') fraud++;
  }
  for (const [merchant, w] of windows)
    assert.ok(w.last - w.first <= 29 * DAY, `${merchant} compromised for ${(w.last - w.first) / DAY} days`);
  const share = fraud / inWindow;
  assert.ok(share > 0.2 && share < 0.7, `${(100 * share).toFixed(0)} % of their traffic in the period`);
  const m = median(ratios);
  assert.ok(m > 0.4 && m < 2.5, `amounts look normal (median ${m.toFixed(2)}x the account's mean)`);
});

test('gambling_outside_home: gambling or crypto payments in a city that is not home', () => {
  const bets = rows.filter((r) => r.scenario === 'gambling_outside_home');
  assert.ok(bets.length >= 5, `${bets.length} payments`);
  for (const { tx } of bets) {
    assert.ok(tx.merchant_category === 'gambling' || tx.merchant_category === 'crypto', tx.merchant_category);
    assert.notEqual(tx.city, habits.get(tx.account_id)!.homeCity);
  }
  // The signal is the context: legitimate gambling is rare, so the category alone is no label.
  const legitGambling = rows.filter((r) => r.label === 0 && r.tx.merchant_category === 'gambling').length;
  assert.ok(legitGambling > 0, 'legitimate accounts gamble too');
});
