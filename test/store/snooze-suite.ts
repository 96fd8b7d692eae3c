/** The rule snooze part of the shared store suite (issue 17): ids, rules and entities all start with snz17. */
import assert from 'node:assert/strict';
import type { RuleSnoozeRecord } from '../../src/store/snooze-queries.ts';
import type { DecisionStore, NewAuditEntry } from '../../src/store/types.ts';

const T0 = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

const snooze = (partial: Partial<RuleSnoozeRecord>): RuleSnoozeRecord => ({
  id: 'snz17-1',
  rule_id: 'snz17_big',
  entity_type: 'account',
  entity_id: 'snz17-acct',
  reason: 'known good customer',
  created_at: T0,
  created_by: 'alice',
  until: T0 + HOUR,
  ended_at: null,
  ended_by: null,
  ...partial,
});

const audit = (action: string, value: string): NewAuditEntry => ({
  at: T0,
  actor: 'alice',
  action,
  transaction_id: null,
  old_value: null,
  new_value: value,
  note: null,
});

export function snoozeSuite(
  it: (title: string, body: () => Promise<void>) => void,
  store: () => DecisionStore,
): void {
  it('rule snoozes: created with their audit entry, listed by rule, entity and activity', async () => {
    const s = store();
    await s.createSnooze(snooze({}), audit('rule_snoozed', 'snz17-1'));
    await s.createSnooze(
      snooze({ id: 'snz17-2', entity_type: 'merchant', entity_id: 'snz17-m', created_at: T0 + 1 }),
      audit('rule_snoozed', 'snz17-2'),
    );
    await s.createSnooze(
      snooze({ id: 'snz17-3', rule_id: 'snz17_other', created_at: T0 + 2, until: T0 + 10 }),
      audit('rule_snoozed', 'snz17-3'),
    );
    const ids = (rows: RuleSnoozeRecord[]) => rows.map((r) => r.id);
    assert.deepEqual(ids(await s.listSnoozes({ rule_id: 'snz17_big' })), ['snz17-2', 'snz17-1']);
    assert.deepEqual(await s.listSnoozes({ rule_id: 'snz17_big', entity_type: 'account' }), [snooze({})]);
    assert.deepEqual(ids(await s.listSnoozes({ entity_id: 'snz17-acct' })), ['snz17-3', 'snz17-1']);
    assert.deepEqual(ids(await s.listSnoozes({ entity_id: 'snz17-acct', active: true, at: T0 + 10 })), [
      'snz17-1',
    ]);
    assert.deepEqual(ids(await s.listSnoozes({ entity_id: 'snz17-acct', active: false, at: T0 + 10 })), [
      'snz17-3',
    ]);
    // `until` is exclusive: at it, the snooze is over.
    assert.deepEqual(ids(await s.listSnoozes({ entity_id: 'snz17-acct', active: true, at: T0 + HOUR })), []);
    assert.deepEqual(ids(await s.listSnoozes({ rule_id: 'snz17_big', limit: 1 })), ['snz17-2']);
    const trail = await s.listAudit({ action: 'rule_snoozed', limit: 1000 });
    assert.deepEqual(
      trail.filter((e) => e.new_value?.startsWith('snz17-')).map((e) => e.new_value),
      ['snz17-1', 'snz17-2', 'snz17-3'],
    );
    await assert.rejects(s.createSnooze(snooze({}), audit('rule_snoozed', 'snz17-dup')), 'id is unique');
    const after = await s.listAudit({ action: 'rule_snoozed', limit: 1000 });
    assert.equal(
      after.filter((e) => e.new_value === 'snz17-dup').length,
      0,
      'a refused snooze writes no audit entry',
    );
  });

  it('rule snoozes: ended early once, with who and when; an unknown or expired one is left alone', async () => {
    const s = store();
    const ended = await s.endSnooze('snz17-2', T0 + 5, 'bob', audit('rule_snooze_ended', 'snz17-2'));
    assert.deepEqual(ended, {
      result: 'ended',
      snooze: snooze({
        id: 'snz17-2',
        entity_type: 'merchant',
        entity_id: 'snz17-m',
        created_at: T0 + 1,
        ended_at: T0 + 5,
        ended_by: 'bob',
      }),
    });
    const again = await s.endSnooze('snz17-2', T0 + 6, 'carol', audit('rule_snooze_ended', 'snz17-2'));
    assert.equal(again?.result, 'not_active');
    assert.equal(again?.snooze.ended_by, 'bob');
    const expired = await s.endSnooze('snz17-3', T0 + 10, 'bob', audit('rule_snooze_ended', 'snz17-3'));
    assert.equal(expired?.result, 'not_active', 'past its end: nothing to end');
    assert.equal(await s.endSnooze('snz17-none', T0, 'bob', audit('rule_snooze_ended', 'x')), null);
    const trail = await s.listAudit({ action: 'rule_snooze_ended', limit: 1000 });
    assert.deepEqual(
      trail.filter((e) => e.new_value?.startsWith('snz17-')).map((e) => e.new_value),
      ['snz17-2'],
      'audited once',
    );
    assert.deepEqual(
      (await s.listSnoozes({ rule_id: 'snz17_big', active: true, at: T0 + 6 })).map((r) => r.id),
      ['snz17-1'],
    );
  });
}
