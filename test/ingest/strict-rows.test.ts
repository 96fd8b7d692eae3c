/** Files go through the same strict rules as the API: each lax value is a bad row reported with its line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseColumnMap } from '../../src/ingest/column-map.ts';
import { labelledRows } from '../../src/ingest/labelled-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-strict-'));

async function read(file: string): Promise<{ ids: string[]; bad: string[] }> {
  const bad: string[] = [];
  const ids: string[] = [];
  const rows = labelledRows(
    {
      file,
      map: parseColumnMap(undefined),
      maxErrors: 100,
      onBadRow: (line, m) => bad.push(`${line}: ${m}`),
    },
    { bad: 0 },
  );
  for await (const row of rows) ids.push(row.tx.transaction_id);
  return { ids, bad };
}

test('CSV and JSONL: hex amounts, two-digit-century years and impossible offsets are bad rows, by line', async () => {
  const csv = join(dir, 'lax.csv');
  writeFileSync(
    csv,
    [
      'transaction_id,timestamp,account_id,amount,label',
      'ok1,2026-03-01T10:00:00Z,a,16.5,0',
      'hex,2026-03-01T10:00:00Z,a,0x10,0',
      'y95,0095-03-01T10:00:00Z,a,1,0',
      'off,2026-03-01T10:00:00+99:99,a,1,1',
      'exp,2026-03-01T10:00:00Z,a,1e3,0',
      'ok2,1767225600000,a,2,1',
    ].join('\n') + '\n',
  );
  const fromCsv = await read(csv);
  assert.deepEqual(fromCsv.ids, ['ok1', 'ok2']);
  assert.deepEqual(
    fromCsv.bad.map((b) => b.split(':')[0] + ':' + b.split(':')[1]),
    ['3: amount', '4: timestamp', '5: timestamp', '6: amount'],
  );
  const jsonl = join(dir, 'lax.jsonl');
  const row = (id: string, extra: object) =>
    JSON.stringify({
      transaction_id: id,
      timestamp: '2026-03-01T10:00:00Z',
      account_id: 'a',
      amount: 1,
      label: 0,
      ...extra,
    });
  writeFileSync(
    jsonl,
    [
      row('ok1', {}),
      row('hex', { amount: '0x10' }),
      row('frac', { timestamp: 1767225600000.5 }),
      row('off', { timestamp: '2026-03-01T10:00:00-24:00' }),
      row('ok2', { amount: '3.25' }),
    ].join('\n') + '\n',
  );
  const fromJsonl = await read(jsonl);
  assert.deepEqual(fromJsonl.ids, ['ok1', 'ok2']);
  assert.deepEqual(
    fromJsonl.bad.map((b) => b.split(':').slice(0, 2).join(':')),
    ['2: amount', '3: timestamp', '4: timestamp'],
  );
});
