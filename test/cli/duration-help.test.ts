import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { formatDuration, parseDuration } from '../../src/cli/options.ts';

function help(...command: string[]): string {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...command, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // commander wraps long lines: join them so a default split over two lines still matches
  return r.stdout.replace(/\s+/g, ' ');
}

test('formatDuration prints the largest unit that divides the duration, and reads back as itself', () => {
  assert.equal(formatDuration(604_800_000), '7d');
  assert.equal(formatDuration(28 * 86_400_000), '28d');
  assert.equal(formatDuration(86_400_000 + 3_600_000), '25h');
  assert.equal(formatDuration(90_000), '90s');
  assert.equal(formatDuration(15 * 60_000), '15min');
  assert.equal(formatDuration(1500), '1500ms');
  assert.equal(formatDuration(0), '0s');
  for (const ms of [604_800_000, 90_000, 15 * 60_000, 1500, 3_600_000])
    assert.deepEqual(parseDuration(formatDuration(ms)), { ms });
});

test('--help prints duration defaults as they are typed, never as milliseconds', () => {
  const texts = new Map<string, string>();
  for (const command of ['replay', 'train', 'worker', 'keys rotate', 'keys create', 'retention'])
    texts.set(command, help(...command.split(' ')));
  const replay = texts.get('replay')!;
  assert.match(replay, /--label-delay <duration> [^-]*?\(default: 7d\)/);
  assert.match(replay, /--retrain-every <duration> [^-]*?\(default: 7d\)/);
  assert.match(replay, /--train-window <duration> [^-]*?\(default: 28d\)/);
  assert.match(texts.get('train')!, /--label-delay <duration> [^-]*?\(default: 7d\)/);
  assert.match(texts.get('worker')!, /--ack-wait <duration> [^-]*?\(default: 30s\)/);
  assert.match(texts.get('keys rotate')!, /--grace <duration> [^-]*?\(default: 0s\)/);
  for (const [command, text] of texts)
    assert.doesNotMatch(text, /<duration> [^-]*?\(default: \d+\)/, `${command}: a bare-number default`);
});
