/** Case queues on both stores (issue 17), run from the shared store suite with this helper's `queue17-` names. */
import assert from 'node:assert/strict';
import type { QueueRecord } from '../../src/cases/queue-model.ts';
import type { DecisionStore } from '../../src/store/types.ts';

const T = Date.UTC(2026, 11, 1);

function queue(name: string, position: number): QueueRecord {
  return {
    name,
    position,
    filter: { min_amount: 500, reason_code: 'new_device@1' },
    members: [
      { name: 'queue17-ann', capacity: 2 },
      { name: 'queue17-bob', capacity: 1 },
    ],
    sla_seconds: 3600,
    last_assigned: null,
    created_at: T,
    created_by: 'queue17-admin',
    updated_at: T,
    updated_by: 'queue17-admin',
  };
}

export function queueStoreSuite(
  it: (title: string, body: () => Promise<void>) => void,
  store: () => DecisionStore,
): void {
  it('queues: created once with their audit entry, read back exactly, changed and deleted audited', async () => {
    const s = store();
    const audit = (action: string) => ({
      at: T,
      actor: 'queue17-admin',
      action,
      transaction_id: null,
      note: null,
    });
    assert.equal(
      await s.createQueue(queue('queue17-high', 2), {
        ...audit('queue_created'),
        old_value: null,
        new_value: 'x',
      }),
      true,
    );
    assert.equal(
      await s.createQueue(queue('queue17-all', 1), {
        ...audit('queue_created'),
        old_value: null,
        new_value: 'y',
      }),
      true,
    );
    assert.equal(
      await s.createQueue(queue('queue17-high', 9), {
        ...audit('queue_created'),
        old_value: null,
        new_value: 'z',
      }),
      false,
      'a taken name is refused',
    );
    const mine = (await s.listQueues()).filter((q) => q.name.startsWith('queue17-'));
    assert.deepEqual(
      mine.map((q) => q.name),
      ['queue17-all', 'queue17-high'],
      'by position',
    );
    assert.deepEqual(await s.getQueue('queue17-high'), queue('queue17-high', 2));
    assert.equal(await s.getQueue('queue17-none'), null);
    const created = await s.listAudit({ actor: 'queue17-admin', action: 'queue_created' });
    assert.deepEqual(
      created.map((e) => e.new_value),
      ['x', 'y'],
      'the refused create wrote no audit entry',
    );

    const changed = await s.updateQueue(
      'queue17-high',
      { members: [{ name: 'queue17-cat', capacity: 5 }], sla_seconds: 60 },
      T + 1000,
      { ...audit('queue_updated'), actor: 'queue17-boss' },
    );
    assert.ok(changed);
    assert.deepEqual(changed.members, [{ name: 'queue17-cat', capacity: 5 }]);
    assert.equal(changed.sla_seconds, 60);
    assert.deepEqual(changed.filter, queue('x', 0).filter, 'what was not given stays');
    assert.deepEqual(await s.getQueue('queue17-high'), changed);
    assert.equal(changed.updated_by, 'queue17-boss');
    assert.equal(changed.updated_at, T + 1000);
    const [updateEntry] = await s.listAudit({ actor: 'queue17-boss', action: 'queue_updated' });
    assert.ok(updateEntry);
    assert.equal((JSON.parse(updateEntry.old_value!) as QueueRecord).sla_seconds, 3600);
    assert.equal((JSON.parse(updateEntry.new_value!) as QueueRecord).sla_seconds, 60);
    assert.equal(await s.updateQueue('queue17-none', { sla_seconds: 5 }, T, audit('queue_updated')), null);

    assert.equal(await s.deleteQueue('queue17-high', audit('queue_deleted')), true);
    assert.equal(await s.deleteQueue('queue17-high', audit('queue_deleted')), false, 'deleted once');
    assert.equal(await s.getQueue('queue17-high'), null);
    const deleted = await s.listAudit({ actor: 'queue17-admin', action: 'queue_deleted' });
    assert.equal(deleted.length, 1);
    assert.equal((JSON.parse(deleted[0]!.old_value!) as QueueRecord).name, 'queue17-high');
    assert.equal(deleted[0]!.new_value, null);
    await s.deleteQueue('queue17-all', audit('queue_deleted'));
  });
}
