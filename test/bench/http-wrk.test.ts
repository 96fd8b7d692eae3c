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
