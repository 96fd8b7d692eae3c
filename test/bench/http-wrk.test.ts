/** `bench http --generator wrk`: the native generator's figures are in the line, and every request was a new id. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { wrkInstalled } from '../../bench/wrk-generator.ts';

test('bench http --generator wrk prints wrk and floor figures and the server stored a decision a request', (t) => {
  if (!wrkInstalled()) {
    const why = 'wrk is not installed (apt-get install -y wrk)';
    if (process.env.CI === 'true') assert.fail(`${why}: required in CI`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const run = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'bench', 'http', '--json', '--store', 'embedded', '--generator', 'wrk'].concat([
      '--rate',
      '50',
      '--seconds',
      '2',
    ]),
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  for (const key of [
    'wrk_p50_ms',
    'wrk_p99_ms',
    'wrk_rps',
    'wrk_floor_p50_ms',
    'wrk_floor_p99_ms',
    'wrk_floor_rps',
  ])
    assert.ok(typeof line[key] === 'number' && line[key] > 0, `${key}: ${line[key]}`);
  assert.ok(line.wrk_server_cpu_us_per_request! > 0, 'server CPU a request measured');
  assert.equal(line.wrk_errors, 0);
  const completed = Math.round(line.wrk_rps! * 2);
  assert.ok(completed >= 80, `completed about ${completed}`);
  // A repeated id would be answered 200 from the idempotency cache; a fresh one is stored and answered 201.
  assert.equal(line.wrk_repeated_ids, 0, 'no transaction id sent twice');
  assert.ok(line.wrk_stored! >= completed * 0.95, `stored ${line.wrk_stored}, completed about ${completed}`);
});

test('bench http --load-curve prints serve and floor figures at each rate, and their ratios', (t) => {
  if (!wrkInstalled()) {
    const why = 'wrk is not installed (apt-get install -y wrk)';
    if (process.env.CI === 'true') assert.fail(`${why}: required in CI`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const run = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'bench', 'http', '--json', '--store', 'embedded', '--load-curve', '100,50'].concat([
      '--seconds',
      '2',
    ]),
    { encoding: 'utf8', timeout: 180_000 },
  );
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(line.bench, 'http-load-curve');
  assert.deepEqual(line.rates, [50, 100], 'rates in ascending order');
  const num = (key: string): number => {
    const v = line[key];
    assert.ok(typeof v === 'number' && v > 0, `${key}: ${String(v)}`);
    return v;
  };
  for (const rate of [50, 100]) {
    assert.equal(line[`r${rate}_errors`], 0);
    assert.ok(num(`r${rate}_rps`) >= rate * 0.8, `r${rate}_rps: ${String(line[`r${rate}_rps`])}`);
    const cpu = num(`r${rate}_server_cpu_us_per_request`);
    const floorCpu = num(`r${rate}_floor_server_cpu_us_per_request`);
    assert.equal(line[`r${rate}_cpu_ratio_to_floor`], Math.round((cpu / floorCpu) * 100) / 100);
    const p99 = num(`r${rate}_p99_ms`);
    assert.equal(
      line[`r${rate}_p99_ratio_to_floor`],
      Math.round((p99 / num(`r${rate}_floor_p99_ms`)) * 100) / 100,
    );
  }
  const lowToHigh = num('cpu_ratio_lowest_to_highest_rate');
  assert.equal(
    lowToHigh,
    Math.round((num('r50_server_cpu_us_per_request') / num('r100_server_cpu_us_per_request')) * 100) / 100,
  );
  num('floor_cpu_ratio_lowest_to_highest_rate');
});

test('bench http --load-curve refuses a rate that is not a positive whole number, naming the option', () => {
  const run = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'bench', 'http', '--load-curve', '1000,fast'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /--load-curve must be positive whole rates/);
  assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
});
