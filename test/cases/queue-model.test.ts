import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  caseMatchesFilter,
  checkQueueDefinition,
  checkQueueFilter,
  checkQueueMembers,
  firstMatchingQueue,
  type QueueDefinition,
} from '../../src/cases/queue-model.ts';

const facts = { max_amount: 900, max_score: 0.7, priority: 2, reason_codes: ['new_device@1', 'model'] };
const queue = (name: string, position: number, filter: QueueDefinition['filter']): QueueDefinition => ({
  name,
  position,
  filter,
  members: [],
  sla_seconds: 3600,
});

describe('queue filters', () => {
  it('every condition given must hold; an empty filter matches every case', () => {
    assert.equal(caseMatchesFilter({}, facts), true);
    assert.equal(caseMatchesFilter({ min_amount: 900 }, facts), true);
    assert.equal(caseMatchesFilter({ min_amount: 900.01 }, facts), false);
    assert.equal(caseMatchesFilter({ min_score: 0.7, min_priority: 2 }, facts), true);
    assert.equal(caseMatchesFilter({ min_score: 0.7, min_priority: 3 }, facts), false);
    assert.equal(caseMatchesFilter({ reason_code: 'new_device@1' }, facts), true);
    assert.equal(caseMatchesFilter({ reason_code: 'velocity@1' }, facts), false);
  });

  it('the first matching queue by position, then name, wins', () => {
    const queues = [
      queue('z-all', 5, {}),
      queue('high', 1, { min_amount: 1000 }),
      queue('b-devices', 1, { reason_code: 'model' }),
    ];
    assert.equal(firstMatchingQueue(queues, facts)?.name, 'b-devices');
    assert.equal(firstMatchingQueue(queues, { ...facts, reason_codes: [] })?.name, 'z-all');
    assert.equal(firstMatchingQueue([queue('high', 1, { min_amount: 1000 })], facts), null);
  });

  it('refuses unknown fields and out-of-range values, naming each field', () => {
    assert.deepEqual(checkQueueFilter({ min_amount: 10, reason_code: 'x' }), []);
    assert.deepEqual(
      checkQueueFilter({
        sql: 'DROP TABLE',
        min_score: 2,
        min_amount: -1,
        min_priority: 1.5,
        reason_code: '',
      }).map((e) => e.path),
      ['filter.sql', 'filter.min_amount', 'filter.min_score', 'filter.min_priority', 'filter.reason_code'],
    );
    assert.deepEqual(checkQueueFilter([]), [{ path: 'filter', message: 'must be an object' }]);
  });

  it('members: a name each once and an integer capacity', () => {
    assert.deepEqual(checkQueueMembers([{ name: 'ann', capacity: 0 }]), []);
    assert.deepEqual(
      checkQueueMembers([
        { name: 'ann', capacity: 3 },
        { name: 'ann', capacity: 1 },
        { name: '', capacity: -1, extra: 1 },
      ]).map((e) => e.path),
      ['members[1].name', 'members[2].extra', 'members[2].name', 'members[2].capacity'],
    );
  });

  it('a whole definition: name, position and SLA are checked too', () => {
    assert.deepEqual(checkQueueDefinition(queue('high amount', 0, {})), []);
    assert.deepEqual(
      checkQueueDefinition({ ...queue('/bad', -1, {}), sla_seconds: 0 }).map((e) => e.path),
      ['name', 'position', 'sla_seconds'],
    );
  });
});
