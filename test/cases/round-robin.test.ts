import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dealCases, nextMember } from '../../src/cases/round-robin.ts';

const members = [
  { name: 'ann', capacity: 2 },
  { name: 'bob', capacity: 1 },
  { name: 'cat', capacity: 3 },
];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('round-robin assignment', () => {
  it('members take turns: nobody gets a second case before everyone with capacity got one', () => {
    const { assignments, last_assigned } = dealCases(ids(3), members, new Map(), null);
    assert.deepEqual(
      assignments.map((a) => a.member),
      ['ann', 'bob', 'cat'],
    );
    assert.equal(last_assigned, 'cat');
  });

  it('a member at capacity is skipped, and the deal stops when everyone is full', () => {
    const { assignments, last_assigned } = dealCases(ids(10), members, new Map(), null);
    assert.deepEqual(
      assignments.map((a) => a.member),
      ['ann', 'bob', 'cat', 'ann', 'cat', 'cat'],
    );
    assert.equal(assignments.length, 6, 'the total capacity, no more');
    assert.equal(last_assigned, 'cat');
  });

  it('counts the cases members hold already against their capacity', () => {
    const load = new Map([
      ['ann', 2],
      ['cat', 2],
    ]);
    assert.deepEqual(
      dealCases(ids(3), members, load, null).assignments.map((a) => a.member),
      ['bob', 'cat'],
    );
  });

  it('the turn goes on after the last assigned member, across rounds', () => {
    const first = dealCases(ids(1), members, new Map(), null);
    assert.equal(first.last_assigned, 'ann');
    const second = dealCases(['x'], members, new Map([['ann', 1]]), first.last_assigned);
    assert.equal(second.assignments[0]!.member, 'bob');
    assert.equal(nextMember(members, new Map(), 'cat'), 'ann', 'wraps around');
  });

  it('a cursor naming a removed member starts at the first; nobody at all, or capacity 0, assigns nothing', () => {
    assert.equal(nextMember(members, new Map(), 'gone'), 'ann');
    assert.equal(nextMember([], new Map(), null), null);
    assert.equal(nextMember([{ name: 'zed', capacity: 0 }], new Map(), null), null);
    const none = dealCases(ids(2), [], new Map(), 'ann');
    assert.deepEqual(none, { assignments: [], last_assigned: 'ann' });
  });

  it('over many rounds with equal capacity each member gets the same share', () => {
    const equal = [
      { name: 'a', capacity: 100 },
      { name: 'b', capacity: 100 },
      { name: 'c', capacity: 100 },
    ];
    const counts = new Map<string, number>();
    let last: string | null = null;
    for (let round = 0; round < 30; round++) {
      const r = dealCases(ids(round % 4), equal, counts, last);
      for (const a of r.assignments) counts.set(a.member, (counts.get(a.member) ?? 0) + 1);
      last = r.last_assigned;
    }
    const shares = [...counts.values()];
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `shares ${shares.join(', ')}`);
  });
});
