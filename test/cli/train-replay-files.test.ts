/** `train` on a file with other column names, its validation report, and `replay --rules FILE`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-train-replay-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const data = join(dir, 'sim.csv');
const made = cli('simulate', '--accounts', '300', '--days', '30', '--seed', '3', '--out', data);
assert.equal(made.status, 0, made.stderr);

test('train: missing columns are named once from the header with a --map to use; then it reports validation honestly', () => {
  const text = readFileSync(data, 'utf8');
  const renamed = join(dir, 'renamed.csv');
  const [header, ...rest] = text.split('\n');
  writeFileSync(
    renamed,
    [header!.replace('transaction_id', 'TX_ID').replace(',amount,', ',TX_AMOUNT,'), ...rest].join('\n'),
  );
  const refused = cli('train', '--data', renamed, '--out', join(dir, 'm1'));
  assert.equal(refused.status, 2, refused.stderr);
  const lines = refused.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one message, not one per row:\n${refused.stderr.slice(0, 2000)}`);
  assert.match(lines[0]!, /renamed\.csv:1: the header has no column "transaction_id", "amount"/);
  assert.match(lines[0]!, /--map transaction_id=TX_ID,amount=TX_AMOUNT$/);
  assert.equal(refused.stdout, '');

  const map = /--map (\S+)$/.exec(lines[0]!)![1]!;
  const trained = cli('train', '--data', renamed, '--map', map, '--out', join(dir, 'm2'));
  assert.equal(trained.status, 0, trained.stderr);
  const result = JSON.parse(trained.stdout) as {
    rows: number;
    validation: { model: string; rows: number; auc_roc?: number; average_precision?: number }[];
    backtest_command: string;
  };
  assert.equal(result.validation.length, 2);
  for (const v of result.validation) {
    assert.ok(v.rows > 0 && v.rows <= result.rows / 5 + 1, `${v.model}: a fifth of the rows at most`);
    assert.ok(v.auc_roc! > 0.5 && v.auc_roc! <= 1, `${v.model}: AUC ${v.auc_roc}`);
    assert.ok(v.average_precision! > 0 && v.average_precision! <= 1);
    assert.match(
      trained.stderr,
      new RegExp(`^${v.model}: validation on ${v.rows} rows: AUC ${v.auc_roc} AP `, 'm'),
    );
  }
  assert.match(trained.stderr, /training file's own last fifth .* not a backtest/);
  assert.equal(
    result.backtest_command,
    `fraudwatch replay ${renamed} --map ${map} --models iforest,gbdt --label-delay 7d --json`,
  );
  assert.ok(trained.stderr.includes(result.backtest_command), 'the replay command is in the output');
});

test('replay --rules FILE backtests that document; a bad one is refused naming the file; on and off still work', () => {
  const doc = JSON.parse(readFileSync('rules/default-rules.json', 'utf8')) as {
    version: string;
    rules: { score?: number }[];
  };
  doc.version = 'backtest-candidate';
  // every weighted rule at full weight: a visibly different ranking
  for (const rule of doc.rules) if (rule.score !== undefined) rule.score = 1;
  const candidate = join(dir, 'candidate.json');
  writeFileSync(candidate, JSON.stringify(doc));
  const run = (rules: string) => cli('replay', data, '--models', 'none', '--rules', rules, '--json');
  const parsed = (r: ReturnType<typeof cli>) => {
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      rules: boolean;
      rules_version: string | null;
      auc_roc: number;
      precision: number;
    };
  };
  const fromFile = parsed(run(candidate));
  assert.equal(fromFile.rules, true);
  assert.equal(fromFile.rules_version, 'backtest-candidate');
  const shipped = parsed(run('on'));
  assert.notEqual(shipped.rules_version, 'backtest-candidate');
  assert.notDeepEqual([fromFile.auc_roc, fromFile.precision], [shipped.auc_roc, shipped.precision]);
  const off = parsed(run('off'));
  assert.equal(off.rules, false);
  assert.equal(off.rules_version, null);

  const broken = join(dir, 'broken-rules.json');
  (doc.rules[2] as unknown as { when: unknown }).when = { field: 'amout', op: '>', value: 1 };
  writeFileSync(broken, JSON.stringify(doc));
  const refused = run(broken);
  assert.equal(refused.status, 2);
  assert.match(
    refused.stderr,
    new RegExp(`--rules ${broken}: rules\\[2\\]\\.when\\.field: unknown feature "amout"`),
  );
  assert.equal(refused.stdout, '');
  const notJson = join(dir, 'not-json.json');
  writeFileSync(notJson, '{"version": ');
  assert.match(run(notJson).stderr, new RegExp(`--rules ${notJson}: not valid JSON`));
  assert.match(run(join(dir, 'absent.json')).stderr, /absent\.json: cannot read: ENOENT/);
});
