/** The pure rules both stores apply to account cases, and the shapes they share (cursor, backlog). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  caseStatusChange,
  labelStatusOf,
  newCase,
  reasonCodesOf,
  withAlert,
  withinWindow,
  type AlertInput,
} from '../../src/cases/case-lifecycle.ts';
import { ACCOUNT_CASE_STATUSES, casePriority } from '../../src/cases/case-types.ts';
import { decodeCaseCursor, encodeCaseCursor } from '../../src/store/case-list-query.ts';
import { foldBacklog } from '../../src/store/case-queries.ts';
import type { QueueRecord } from '../../src/cases/queue-model.ts';

const HOUR = 3_600_000;
const alert = (at: number, extra: Partial<AlertInput> = {}): AlertInput => ({
  transaction_id: `t${at}`,
  account_id: 'acct',
  amount: 100,
  score: 0.5,
  decided_at: at,
  reason_codes: ['r@1'],
  ...extra,
});

test('a case takes the highest score and amount, every reason once, and spans its alerts', () => {
  const c = withAlert(
    newCase('case_1', alert(10 * HOUR), 11 * HOUR),
    alert(8 * HOUR, { score: 0.9, amount: 20, reason_codes: ['model', 'r@1'] }),
    12 * HOUR,
  );
  assert.equal(c.max_score, 0.9);
  assert.equal(c.max_amount, 100);
  assert.equal(c.priority, casePriority(0.9, 100));
  assert.deepEqual(c.reason_codes, ['model', 'r@1']);
  assert.equal(c.opened_at, 8 * HOUR);
  assert.equal(c.last_alert_at, 10 * HOUR);
  assert.equal(c.alert_count, 2);
  assert.equal(c.updated_at, 12 * HOUR);
  assert.equal(withinWindow(c, 10 * HOUR + 24 * HOUR, 24 * HOUR), true, 'the window is inclusive');
  assert.equal(withinWindow(c, 10 * HOUR + 24 * HOUR + 1, 24 * HOUR), false);
  assert.equal(withinWindow(c, 8 * HOUR - 24 * HOUR, 24 * HOUR), true);
  assert.equal(
    withinWindow(c, 8 * HOUR - 24 * HOUR - 1, 24 * HOUR),
    false,
    'too long before its first alert',
  );
});

test('reason codes: rule ids and `model`, each once, sorted', () => {
  assert.deepEqual(
    reasonCodesOf({
      reasons: [
        { kind: 'rule', rule: 'z@1', reason: 'x', score: 1 },
        { kind: 'model', model: 'gbdt', feature: 'a', value: 1, contribution: 1 },
        { kind: 'model', model: 'gbdt', feature: 'b', value: 1, contribution: 1 },
        { kind: 'rule', rule: 'a@2', reason: 'x', score: 1 },
      ],
    }),
    ['a@2', 'model', 'z@1'],
  );
});

test('status changes: any between active statuses, closing from any, a closed case only reopens', () => {
  for (const from of ACCOUNT_CASE_STATUSES)
    for (const to of ACCOUNT_CASE_STATUSES) {
      const { result, reason } = caseStatusChange(from, to);
      const closed = from === 'closed_fraud' || from === 'closed_legitimate';
      const expected = from === to ? 'unchanged' : closed && to !== 'open' ? 'refused' : 'changed';
      assert.equal(result, expected, `${from} -> ${to}`);
      assert.equal(reason !== undefined, expected === 'refused');
    }
  assert.equal(labelStatusOf('closed_fraud'), 'confirmed_fraud');
  assert.equal(labelStatusOf('closed_legitimate'), 'legitimate');
  assert.equal(labelStatusOf('escalated'), null);
});

test('a cursor is read back only for the sort it was issued for', () => {
  const c = newCase('case_abc', alert(5), 6);
  assert.deepEqual(decodeCaseCursor(encodeCaseCursor('priority', c), 'priority'), {
    priority: c.priority,
    opened_at: 5,
    id: 'case_abc',
  });
  assert.equal(decodeCaseCursor(encodeCaseCursor('age', c), 'age').id, 'case_abc');
  assert.throws(() => decodeCaseCursor(encodeCaseCursor('age', c), 'priority'), /^RangeError: cursor: /);
  const fractional = Buffer.from(JSON.stringify(['priority', 1.5, 5, 'case_abc'])).toString('base64url');
  assert.throws(() => decodeCaseCursor(fractional, 'priority'), /^RangeError: cursor: /);
  const long = Buffer.from(JSON.stringify(['age', 5, 'x'.repeat(5000)])).toString('base64url');
  assert.throws(() => decodeCaseCursor(long, 'age'), /^RangeError: cursor: /);
});

test('backlog: every queue in order (zeros when empty), a deleted queue still holding cases, the unrouted last', () => {
  const q = (name: string): QueueRecord => ({ name }) as QueueRecord;
  assert.deepEqual(
    foldBacklog(
      [
        { queue: 'gone', active: '2', unassigned: '1', oldest: '7' },
        { queue: 'b', active: 3, unassigned: 0, oldest: 5 },
      ],
      [q('a'), q('b')],
    ),
    [
      { queue: 'a', active: 0, unassigned: 0, oldest_opened_at: null },
      { queue: 'b', active: 3, unassigned: 0, oldest_opened_at: 5 },
      { queue: 'gone', active: 2, unassigned: 1, oldest_opened_at: 7 },
      { queue: null, active: 0, unassigned: 0, oldest_opened_at: null },
    ],
  );
});
