import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventWindows } from '../../src/engine/features/event-windows.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LENGTHS = [HOUR, DAY, 7 * DAY, 30 * DAY];

function fresh(maxEvents = 4096): EventWindows {
  return new EventWindows(LENGTHS, 31 * DAY, maxEvents);
}

/** Reference: brute force over a plain list. */
function brute(
  events: [number, number][],
  t: number,
  length: number,
): { count: number; sum: number; mean: number; std: number } {
  // Values are stored as 32-bit floats; membership and counts are exact.
  const inside = events.filter(([ts]) => ts > t - length && ts <= t).map(([, v]) => Math.fround(v));
  const sum = inside.reduce((a, b) => a + b, 0);
  const mean = inside.length ? sum / inside.length : 0;
  const variance = inside.length ? inside.reduce((a, v) => a + (v - mean) ** 2, 0) / inside.length : 0;
  return { count: inside.length, sum, mean, std: inside.length > 1 ? Math.sqrt(variance) : 0 };
}

function statsAt(w: EventWindows, t: number, commit = false): Float64Array {
  const out = new Float64Array(16);
  w.stats(t, out, 0, commit);
  return out;
}

for (const [k, length] of LENGTHS.entries()) {
  test(`window ${k}: an event is inside just before the edge, out exactly at it and just past it`, () => {
    const t0 = Date.UTC(2026, 0, 1);
    const w = fresh();
    w.add(t0, 100);
    assert.equal(statsAt(w, t0 + length - 1)[4 * k], 1, 'inside: 1 ms before the window length');
    assert.equal(statsAt(w, t0 + length)[4 * k], 0, 'exactly one window length ago is out');
    assert.equal(statsAt(w, t0 + length + 1)[4 * k], 0, 'just past');
    assert.equal(statsAt(w, t0)[4 * k], 1, 'an equal timestamp counts as history');
  });
}

test('running windows match a brute-force reference on a long in-order stream', () => {
  let seed = 7;
  const rand = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const w = fresh();
  const events: [number, number][] = [];
  let t = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 3000; i++) {
    t += Math.floor(rand() * 4 * HOUR);
    const out = statsAt(w, t, true);
    for (const [k, length] of LENGTHS.entries()) {
      const ref = brute(events, t, length);
      assert.equal(out[4 * k], ref.count, `count window ${k} at event ${i}`);
      assert.ok(Math.abs(out[4 * k + 1]! - ref.sum) < 1e-6 * Math.max(1, ref.sum), `sum window ${k} at ${i}`);
      // sum-of-squares cancellation: the error scales with the mean, not the spread
      assert.ok(
        Math.abs(out[4 * k + 3]! - ref.std) < 1e-5 * Math.max(1, ref.mean),
        `std window ${k} at ${i}`,
      );
    }
    const max = events
      .filter(([ts]) => ts > t - 30 * DAY)
      .reduce((m, [, v]) => Math.max(m, Math.fround(v)), 0);
    assert.equal(w.maxValue(t, 30 * DAY), max, `30-day max at ${i}`);
    const amount = Math.round(rand() * 50000) / 100;
    w.add(t, amount);
    events.push([t, amount]);
  }
});

test('out-of-order and equal timestamps give exact windows, then in-order scoring stays exact', () => {
  let seed = 11;
  const rand = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const w = fresh();
  const events: [number, number][] = [];
  const start = Date.UTC(2026, 0, 1);
  let clock = start;
  for (let i = 0; i < 1500; i++) {
    clock += Math.floor(rand() * 3 * HOUR);
    // a third arrive up to 20 hours late, some with exactly the timestamp of an earlier event
    let t = rand() < 0.33 ? clock - Math.floor(rand() * 20 * HOUR) : clock;
    if (rand() < 0.1 && events.length > 0) t = events[events.length - 1]![0];
    const out = statsAt(w, t, true);
    for (const [k, length] of LENGTHS.entries()) {
      const ref = brute(events, t, length);
      assert.equal(out[4 * k], ref.count, `count window ${k} at event ${i} (t=${t - start})`);
      assert.ok(Math.abs(out[4 * k + 1]! - ref.sum) < 1e-6 * Math.max(1, ref.sum), `sum window ${k} at ${i}`);
    }
    const max = events.filter(([ts]) => ts > t - 30 * DAY && ts <= t).reduce((m, [, v]) => Math.max(m, v), 0);
    assert.equal(w.maxValue(t, 30 * DAY), max, `30-day max at ${i}`);
    const amount = 1 + Math.floor(rand() * 1000);
    w.add(t, amount);
    events.push([t, amount]);
  }
});

test('memory is bounded: old events are dropped and the cap holds', () => {
  const w = fresh(100);
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 1000; i++) w.add(t0 + i * 1000, 1);
  assert.equal(w.size, 100);
  const w2 = fresh();
  for (let i = 0; i < 100; i++) w2.add(t0 + i * DAY, 1);
  assert.ok(w2.size <= 32, `kept ${w2.size} events although only 31 days are retained`);
});

test('maxValue and previousTimestamp see only the window and the past', () => {
  const w = fresh();
  const t0 = Date.UTC(2026, 0, 1);
  w.add(t0, 500);
  w.add(t0 + DAY, 50);
  w.add(t0 + 2 * DAY, 70);
  assert.equal(w.maxValue(t0 + 2 * DAY, 30 * DAY), 500);
  assert.equal(w.maxValue(t0 + 2 * DAY, 1.5 * DAY), 70);
  assert.equal(w.previousTimestamp(t0 + DAY + 5), t0 + DAY);
  assert.ok(Number.isNaN(w.previousTimestamp(t0 - 1)));
});

test('growth and compaction keep the events intact', () => {
  const w = fresh();
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 500; i++) w.add(t0 + i * 2 * HOUR, i);
  const events = w.events();
  const kept = events.length / 2;
  assert.ok(kept > 300 && kept < 400, `${kept} events in 31 days`);
  for (let j = 0; j < kept; j++) {
    const i = 500 - kept + j;
    assert.equal(events[2 * j], t0 + i * 2 * HOUR);
    assert.equal(events[2 * j + 1], i);
  }
});

test('an event taken back leaves the windows as if it had never been added (in order, late, latest, duplicates)', () => {
  const t0 = Date.UTC(2026, 0, 1);
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 40; round++) {
    const events: [number, number][] = [];
    let t = t0;
    for (let i = 0; i < 60; i++) {
      // Mostly in order, sometimes late, sometimes the same instant and amount as the one before.
      if (i > 0 && rand() < 0.1) events.push([...events[events.length - 1]!]);
      else {
        t += Math.floor(rand() * 6 * HOUR);
        events.push([rand() < 0.15 ? t - Math.floor(rand() * 2 * DAY) : t, Math.round(rand() * 500)]);
      }
    }
    const w = fresh();
    for (const [ts, v] of events) {
      w.add(ts, v);
      statsAt(w, ts, true);
    }
    const victim = Math.floor(rand() * events.length);
    assert.equal(w.remove(events[victim]![0], events[victim]![1]), true);
    const rest = events.filter((_, i) => i !== victim);
    const latest = Math.max(...rest.map(([ts]) => ts));
    for (const at of [latest, latest + HOUR, latest + 3 * DAY]) {
      const got = statsAt(w, at);
      LENGTHS.forEach((length, k) => {
        const want = brute(rest, at, length);
        assert.equal(got[4 * k], want.count, `round ${round}, window ${k} at +${at - latest} ms: count`);
        assert.ok(Math.abs(got[4 * k + 1]! - want.sum) < 1e-6, `round ${round}, window ${k}: sum`);
      });
    }
    // The windows go on correctly after a take-back.
    w.add(latest + DAY, 42);
    statsAt(w, latest + DAY, true);
    const after = statsAt(w, latest + 2 * DAY);
    const want = brute([...rest, [latest + DAY, 42]], latest + 2 * DAY, LENGTHS[2]!);
    assert.equal(after[8], want.count);
  }
  assert.equal(fresh().remove(t0, 1), false, 'nothing to take back');
});
