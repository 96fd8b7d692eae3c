/** `bench stream --with-ceiling`: the pipeline and its ceiling in one run, with the ratios computed from both. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { openStream, testConfig } from '../stream/stream-fixture.ts';

test('bench stream --with-ceiling prints the ceiling beside the pipeline and their ratios', async (t) => {
  const probe = await openStream(t, testConfig());
  if (probe === null) return;
  await probe.close();
  const args = ['bench', 'stream', '--json', '--with-ceiling', '--count', '2000', '--workers', '1'];
  const child = spawn(
    process.execPath,
    ['bin/fraudwatch.js', ...args, '--partitions', '2', '--latency-rate', '200', '--latency-seconds', '2'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, out + err);
  const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  for (const key of ['tps', 'p99_ms', 'ceiling_tps', 'ceiling_p99_ms'])
    assert.ok(typeof line[key] === 'number' && line[key] > 0, `${key}: ${line[key]}`);
  assert.equal(line.stored, 2000 + 200 * 2, 'every published transaction stored by the pipeline');
  assert.equal(line.tps_ratio_to_ceiling, Math.round((line.tps! / line.ceiling_tps!) * 100) / 100);
  assert.equal(line.p99_ratio_to_ceiling, Math.round((line.p99_ms! / line.ceiling_p99_ms!) * 100) / 100);
});
