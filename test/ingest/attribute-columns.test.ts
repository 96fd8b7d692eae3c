/** How caller attributes and currencies arrive from files: `attributes.<name>` columns, --map, JSON Lines objects. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFxRates } from '../../src/engine/fx-rates.ts';
import type { CurrencySettings } from '../../src/engine/currency-settings.ts';
import { parseColumnMap, type ColumnMap } from '../../src/ingest/column-map.ts';
import { labelledRows } from '../../src/ingest/labelled-rows.ts';
import type { Transaction } from '../../src/engine/transaction.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-attr-files-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function read(
  path: string,
  map: ColumnMap = parseColumnMap(undefined),
  currency?: CurrencySettings,
): Promise<{ txs: Transaction[]; bad: string[] }> {
  const bad: string[] = [];
  const txs: Transaction[] = [];
  const rows = labelledRows(
    { file: path, map, maxErrors: 100, currency, onBadRow: (line, m) => bad.push(`${line}: ${m}`) },
    { bad: 0 },
  );
  for await (const row of rows) txs.push(row.tx);
  return { txs, bad };
}

test('CSV: attributes.<name> columns and --map attributes.<name>=COLUMN become attributes; empty cells are absent', async () => {
  const path = file(
    'attrs.csv',
    [
      'transaction_id,timestamp,account_id,amount,currency,attributes.mcc,BIN,label',
      't1,2026-01-01T00:00:00Z,a,10,EUR,5411,411111,0',
      't2,2026-01-01T00:01:00Z,a,10,EUR,,,1',
    ].join('\n'),
  );
  const { txs, bad } = await read(path, parseColumnMap('attributes.card_bin=BIN'));
  assert.deepEqual(bad, []);
  assert.deepEqual(txs[0]!.attributes, { card_bin: '411111', mcc: '5411' });
  assert.equal(txs[1]!.attributes, undefined);
});

test('JSON Lines: an attributes object, and flat attributes.<name> keys; bad ones are bad rows naming the column', async () => {
  const path = file(
    'attrs.jsonl',
    [
      '{"transaction_id":"j1","timestamp":"2026-01-01T00:00:00Z","account_id":"a","amount":5,"label":0,"attributes":{"mcc":5411,"three_ds":"Y"},"attributes.email_domain":"example.com"}',
      '{"transaction_id":"j2","timestamp":"2026-01-01T00:01:00Z","account_id":"a","amount":5,"label":0,"attributes":{"Bad Key":1}}',
      '{"transaction_id":"j3","timestamp":"2026-01-01T00:02:00Z","account_id":"a","amount":5,"label":0,"attributes":"mcc=1"}',
    ].join('\n'),
  );
  const { txs, bad } = await read(path);
  assert.deepEqual(
    txs.map((t) => t.attributes),
    [{ email_domain: 'example.com', mcc: 5411, three_ds: 'Y' }],
  );
  assert.deepEqual(bad, [
    '2: attributes.Bad Key: is not a valid attribute name (a-z, 0-9 and _, starting with a letter, at most 40 characters)',
    '3: attributes: must be an object of name: string or number, got "mcc=1"',
  ]);
  const mapped = file(
    'mapped.csv',
    'transaction_id,timestamp,account_id,amount,BIN,label\nm1,2026-01-01T00:00:00Z,a,5,' +
      'x'.repeat(300) +
      ',0\n',
  );
  assert.deepEqual((await read(mapped, parseColumnMap('attributes.card_bin=BIN'))).bad, [
    '2: BIN (attributes.card_bin): must be at most 256 characters',
  ]);
  assert.throws(
    () => parseColumnMap('attributes.Card=BIN'),
    /--map: "attributes.Card" is not a valid attribute name/,
  );
});

test('files follow the currency settings: a missing currency refused without a default, unknown codes with a table', async () => {
  const path = file(
    'currencies.csv',
    [
      'transaction_id,timestamp,account_id,amount,currency,label',
      'c1,2026-01-01T00:00:00Z,a,5,,0',
      'c2,2026-01-01T00:01:00Z,a,5,GBP,0',
      'c3,2026-01-01T00:02:00Z,a,5,SEK,0',
    ].join('\n'),
  );
  const fx = loadFxRates(file('rates.csv', 'currency,rate\nEUR,1\nSEK,0.1\n'));
  const strict = await read(path, parseColumnMap(undefined), { defaultCurrency: null, fx });
  assert.deepEqual(
    strict.txs.map((t) => t.transaction_id),
    ['c3'],
  );
  assert.deepEqual(strict.bad, [
    '2: currency: is required (this server sets no DEFAULT_CURRENCY)',
    "3: currency: GBP has no rate in this server's conversion table (FRAUDWATCH_FX_RATES, base EUR)",
  ]);
  const lax = await read(path);
  assert.deepEqual(
    lax.txs.map((t) => t.currency),
    ['USD', 'GBP', 'SEK'],
  );
});

test('replay, train and serve stop at a bad FX table or DEFAULT_CURRENCY with one line naming it', () => {
  const data = file(
    'data.csv',
    'transaction_id,timestamp,account_id,amount,label\nt1,2026-01-01T00:00:00Z,a,5,0\n',
  );
  const rates = file('broken-rates.csv', 'currency,rate\nEUR,1\nUSD,-2\n');
  const run = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      // serve runs until stopped: were the check missing, the test fails instead of hanging.
      timeout: 30_000,
    });
  for (const args of [
    ['replay', data, '--json', '--models', 'none'],
    ['train', '--data', data, '--out', join(dir, 'models'), '--models', 'iforest'],
    ['serve', '--port', '47999', '--data-dir', join(dir, 'serve-data'), '--no-models'],
  ]) {
    const r = run({ FRAUDWATCH_FX_RATES: rates, DATABASE_URL: '' }, ...args);
    assert.notEqual(r.status, 0, `${args[0]}: ${r.stderr}`);
    assert.equal(
      r.stderr.trim(),
      `FRAUDWATCH_FX_RATES: ${rates}:3: the rate of USD must be a finite number > 0, got "-2"`,
      args[0],
    );
    assert.equal(r.stdout, '');
  }
  const bad = run({ DEFAULT_CURRENCY: 'dollars' }, 'replay', data, '--json', '--models', 'none');
  assert.notEqual(bad.status, 0);
  assert.equal(
    bad.stderr.trim(),
    'DEFAULT_CURRENCY: must be a 3-letter ISO 4217 code or "none", got "dollars"',
  );
});
