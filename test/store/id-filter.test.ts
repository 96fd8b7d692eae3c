import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdFilter } from '../../src/store/id-filter.ts';

test('an id once added is always "may hold", past the first layer too', () => {
  const filter = new IdFilter(10_000);
  const ids = Array.from({ length: 70_000 }, (_, i) => `pay-${i}-${(i * 7919) % 1000}`);
  for (const id of ids) filter.add(id);
  assert.ok(filter.bytes > 16_384, 'more layers than the first');
  assert.equal(filter.size, 70_000);
  assert.equal(ids.filter((id) => !filter.mayContain(id)).length, 0);
});

test('about 1 % of ids never added are "may hold", for ids alike and ids unlike those added', () => {
  const filter = new IdFilter(50_000);
  for (let i = 0; i < 150_000; i++) filter.add(`tx-${i}`);
  const alike = Array.from({ length: 100_000 }, (_, i) => `tx-${150_000 + i}`);
  const unlike = Array.from({ length: 100_000 }, (_, i) => `2026-12-03/${i.toString(36)}/card`);
  for (const ids of [alike, unlike]) {
    const rate = ids.filter((id) => filter.mayContain(id)).length / ids.length;
    assert.ok(rate < 0.03, `false "may hold" rate ${rate}`);
  }
});

test('an empty filter holds nothing', () => {
  const filter = new IdFilter();
  assert.equal(filter.mayContain(''), false);
  assert.equal(filter.mayContain('t1'), false);
  filter.add('');
  assert.equal(filter.mayContain(''), true);
});
