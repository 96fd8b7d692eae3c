import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toLabelRecord } from '../../src/ingest/label-records.ts';

const NOW = Date.UTC(2026, 11, 2);

test('a label: fraud or not, with its known time in epoch ms or ISO, or none', () => {
  assert.deepEqual(toLabelRecord({ transaction_id: 't1', label: 'fraud' }, NOW), {
    transaction_id: 't1',
    fraud: true,
    known_at: null,
  });
  assert.deepEqual(
    toLabelRecord({ transaction_id: 't2', label: '0', known_at: '2026-11-20T10:00:00Z' }, NOW),
    {
      transaction_id: 't2',
      fraud: false,
      known_at: Date.UTC(2026, 10, 20, 10),
    },
  );
  assert.deepEqual(toLabelRecord({ transaction_id: 't3', label: 1, known_at: NOW - 1000 }, NOW), {
    transaction_id: 't3',
    fraud: true,
    known_at: NOW - 1000,
  });
  assert.equal(
    (
      toLabelRecord({ transaction_id: 't4', label: 'yes', known_at: String(NOW) }, NOW) as {
        known_at: number;
      }
    ).known_at,
    NOW,
  );
});

test('each bad label names its field', () => {
  const error = (r: Record<string, unknown>): string => (toLabelRecord(r, NOW) as { error: string }).error;
  assert.match(error({ label: 'fraud' }), /^transaction_id: missing/);
  assert.match(error({ transaction_id: 't', label: 'maybe' }), /^label: "maybe" is not a label/);
  assert.match(error({ transaction_id: 't' }), /^label: null is not a label/);
  assert.match(
    error({ transaction_id: 't', label: 1, known_at: 1764633600 }),
    /^known_at: .*epoch milliseconds/,
  );
  assert.match(
    error({ transaction_id: 't', label: 1, known_at: NOW + 86_400_000 }),
    /^known_at: .*in the future/,
  );
  assert.match(error({ transaction_id: 't', label: 1, known_at: 'last tuesday' }), /^known_at: must be/);
  assert.match(error({ transaction_id: 't', label: 1, reason: 'chargeback' }), /^reason: not a label field/);
  assert.match(error({ transaction_id: 'x'.repeat(300), label: 1 }), /^transaction_id: at most/);
});
