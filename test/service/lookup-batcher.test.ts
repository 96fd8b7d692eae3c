/** Lookups of requests that arrive together reach the store as one query, and each gets its own answer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LookupBatcher } from '../../src/service/lookup-batcher.ts';
import type { DecisionStore } from '../../src/store/types.ts';

function fakeStore(stored: Set<string>, fail = false): { store: DecisionStore; calls: string[][] } {
  const calls: string[][] = [];
  const store = {
    async findDecisions(ids: string[]) {
      calls.push(ids);
      if (fail) throw new Error('database down');
      return new Map(
        ids
          .filter((id) => stored.has(id))
          .map((id) => [id, { payload_hash: `h-${id}`, decision: {} as never }]),
      );
    },
  } as unknown as DecisionStore;
  return { store, calls };
}

test('ids asked for in the same turn go out as one query; each caller gets its own answer', async () => {
  const { store, calls } = fakeStore(new Set(['b', 'd']));
  const batcher = new LookupBatcher(store);
  const answers = await Promise.all(['a', 'b', 'c', 'd'].map((id) => batcher.find(id)));
  assert.deepEqual(calls, [['a', 'b', 'c', 'd']]);
  assert.deepEqual(
    answers.map((a) => a?.payload_hash ?? null),
    [null, 'h-b', null, 'h-d'],
  );
  await batcher.find('e');
  assert.equal(calls.length, 2, 'a later turn is a new query');
});

test('a large turn is split into queries of at most maxIds; a failing query fails only its callers', async () => {
  const { store, calls } = fakeStore(new Set(), true);
  const batcher = new LookupBatcher(store, 2);
  const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => batcher.find(id)));
  assert.deepEqual(calls, [['a', 'b'], ['c']]);
  assert.ok(results.every((r) => r.status === 'rejected' && /database down/.test(String(r.reason))));
});
