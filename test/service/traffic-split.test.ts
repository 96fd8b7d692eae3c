import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidedByChallenger, splitPoint } from '../../src/service/traffic-split.ts';

test('the split is stable per transaction id and close to the share asked', () => {
  const ids = Array.from({ length: 100_000 }, (_, i) => `tx-2026-12-${String(i).padStart(7, '0')}`);
  for (const share of [0.05, 0.1, 0.5]) {
    const taken = ids.filter((id) => decidedByChallenger(id, share)).length / ids.length;
    assert.ok(Math.abs(taken - share) < 0.01, `share ${share}: took ${taken}`);
  }
  for (const id of ids.slice(0, 1000)) assert.equal(splitPoint(id), splitPoint(`${id}`));
  assert.equal(ids.filter((id) => decidedByChallenger(id, 0)).length, 0, 'share 0 takes none');
  assert.equal(ids.filter((id) => decidedByChallenger(id, 1)).length, ids.length, 'share 1 takes all');
  // sequential ids must not cluster: of 1,000 consecutive ids, the first half and the second take alike
  const first = ids.slice(0, 500).filter((id) => decidedByChallenger(id, 0.5)).length;
  const second = ids.slice(500, 1000).filter((id) => decidedByChallenger(id, 0.5)).length;
  assert.ok(Math.abs(first - second) < 60, `${first} vs ${second}`);
});

test('a challenger share of 0.2 takes within a few percent of it over 10,000 ids, the same ids every time', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `pay_${(i * 7919).toString(36)}-${i}`);
  const taken = ids.filter((id) => decidedByChallenger(id, 0.2));
  const share = taken.length / ids.length;
  assert.ok(Math.abs(share - 0.2) < 0.02, `took ${share}`);
  assert.deepEqual(
    ids.filter((id) => decidedByChallenger(id, 0.2)),
    taken,
    'stable: the same side for an id on every call',
  );
  // A larger share keeps every id a smaller one took: raising the traffic moves ids one way only.
  for (const id of taken) assert.ok(decidedByChallenger(id, 0.3), id);
});
