// Files and streams written by the simulator: RFC 4180 quoting, the stream form, and the CLI's behaviour when
// its output goes away (a closed pipe, an unwritable path). The plain round trip is in test/cli/cli.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readFileRecords } from '../../src/ingest/file-records.ts';
import { SIMULATION_COLUMNS, simulate, writeSimulation } from '../../src/simulator/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-sim-'));

async function records(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of readFileRecords(path)) {
    assert.equal(r.error, undefined, `line ${r.line}: ${r.error}`);
    out.push(r.record!);
  }
  return out;
}

test('CSV quotes the fields that need it (RFC 4180) and reads back unchanged', async () => {
  const options = { accounts: 50, days: 2, seed: 5, idPrefix: 'batch "7", line\nbreak:' };
  const expected = [...simulate(options)];
  for (const name of ['q.csv', 'q.csv.gz', 'q.jsonl']) {
    const path = join(dir, name);
    const written = await writeSimulation(options, path);
    assert.equal(written.rows, expected.length);
    const rows = await records(path);
    assert.deepEqual(
      rows.map((r) => r.transaction_id),
      expected.map((r) => r.tx.transaction_id),
      name,
    );
    assert.equal(rows[0]!.city, expected[0]!.tx.city, 'the next field is intact');
  }
  const text = readFileSync(join(dir, 'q.csv'), 'utf8');
  assert.ok(text.includes('"batch ""7"", line\nbreak:000000001"'), 'quoted, quotes doubled');
  assert.ok(text.startsWith(`${SIMULATION_COLUMNS.join(',')}\n`), 'the header needs no quotes');
});

test('a stream gets the same JSON Lines as a .jsonl file', async () => {
  const options = { accounts: 100, days: 3, seed: 9 };
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const streamed = await writeSimulation(options, sink);
  const path = join(dir, 'same.jsonl');
  const filed = await writeSimulation(options, path);
  assert.deepEqual(streamed, filed);
  assert.ok(streamed.frauds > 0 && streamed.frauds < streamed.rows);
  assert.equal(Buffer.concat(chunks).toString('utf8'), readFileSync(path, 'utf8'));
});

test('simulate | head: a reader that stops early ends the run quietly', async () => {
  const child = spawn(process.execPath, ['bin/fraudwatch.js', 'simulate', '--accounts', '5000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let first = '';
  child.stdout.once('data', (c: Buffer) => {
    first = c.toString();
    child.stdout.destroy(); // what `head` does once it has its lines
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.ok(first.startsWith('{"transaction_id":"tx-000000001"'), first.slice(0, 80));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at /);
});

test('an unwritable --out is a one-line error naming the option', () => {
  mkdirSync(join(dir, 'folder.csv'));
  for (const [out, why] of [
    [join(dir, 'missing', 'x.csv.gz'), /its folder does not exist/],
    [join(dir, 'folder.csv'), /it is a folder/],
  ] as const) {
    const r = spawnSync(
      process.execPath,
      ['bin/fraudwatch.js', 'simulate', '--accounts', '10', '--days', '1', '--out', out],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^--out: cannot write "${out.replace(/[.\\]/g, '\\$&')}": `));
    assert.match(r.stderr, why);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
