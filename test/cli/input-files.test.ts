/**
 * `train` and `replay` on files they cannot use: each exits non-zero with one clear line naming the file (and
 * the line, where there is one), never a stack trace, and a backtest of nothing does not "succeed".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-input-files-'));
const HEADER = 'transaction_id,timestamp,account_id,amount,merchant_id,label';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rows(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `t${i},${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()},a${i % 7},${10 + i},m${i % 3},${i % 9 === 0 ? 1 : 0}`,
  );
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Exit status 2, the message on stderr, no stack trace, nothing on stdout. */
function refused(r: ReturnType<typeof cli>, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(r.stdout, '');
}

const runs = (path: string): ReturnType<typeof cli>[] => [
  cli('train', '--data', path, '--out', join(dir, 'models'), '--models', 'iforest'),
  cli('replay', path, '--json', '--models', 'none'),
];

test('a .gz that is not gzip, or is cut short, is named with what is wrong', () => {
  const notGzip = file('plain.csv.gz', [HEADER, ...rows(20)].join('\n'));
  for (const r of runs(notGzip)) refused(r, /plain\.csv\.gz: is not a valid gzip file/);
  const whole = gzipSync([HEADER, ...rows(5000)].join('\n'));
  const cut = file('cut.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
  for (const r of runs(cut)) refused(r, /cut\.csv\.gz: is a truncated gzip file/);
  for (const r of runs(join(dir, 'missing.csv'))) refused(r, /missing\.csv: no such file/);
});

test('replay: a --scores-out that cannot be written stops before the backtest, naming it', () => {
  const good = file('good.csv', [HEADER, ...rows(50)].join('\n') + '\n');
  const target = join(dir, 'no-such-dir', 'scores.csv');
  refused(
    cli('replay', good, '--json', '--models', 'none', '--scores-out', target),
    /--scores-out .*no-such-dir\/scores\.csv: cannot write the file \(ENOENT/,
  );
  const ok = cli('replay', good, '--json', '--models', 'none', '--scores-out', join(dir, 'scores.csv'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).rows, 50);
});

test('replay and train: an empty file, a header alone, or only bad rows exit non-zero', () => {
  const empty = file('empty.csv', '');
  const headerOnly = file('header.csv', `${HEADER}\n`);
  const allBad = file('bad.jsonl', '{"transaction_id":"x","amount":"0x10"}\n{"transaction_id":"y"}\n');
  for (const path of [empty, headerOnly])
    for (const r of runs(path)) refused(r, /no rows to use \(the file is empty or has only a header\)/);
  for (const r of runs(allBad)) refused(r, /bad\.jsonl: no valid rows \(all 2 rows are bad/);
});

test('a missing column is reported once, from the header; an unclosed quote names its line', () => {
  const noAmount = file(
    'no-amount.csv',
    [
      'transaction_id,timestamp,account_id,label',
      ...rows(30).map((r) =>
        r
          .split(',')
          .filter((_, i) => i !== 3 && i !== 4)
          .join(','),
      ),
    ].join('\n'),
  );
  for (const r of runs(noAmount)) {
    refused(r, /no-amount\.csv:1: the header has no column "amount"; it has "transaction_id", "timestamp"/);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  const mapped = cli('replay', noAmount, '--json', '--models', 'none', '--map', 'amount=TX_AMOUNT');
  refused(mapped, /the header has no column "TX_AMOUNT" \(amount\)/);
  const quote = file(
    'quote.csv',
    [HEADER, ...rows(20), 't99,"2026-01-02T00:00:00Z,a1,5,m1,0', ...rows(3)].join('\n'),
  );
  const r = cli('replay', quote, '--json', '--models', 'none');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /quote\.csv:22: a quoted field opened on this line is never closed/);
  const result = JSON.parse(r.stdout);
  assert.deepEqual([result.rows, result.bad_rows], [20, 1]);
});
