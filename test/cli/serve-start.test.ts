/** What a real `fraudwatch serve` says at start and while serving: request logs by LOG_LEVEL, the admin-key hint. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../web/serve-process.ts';

interface Served {
  port: number;
  /** Everything printed on stdout so far. */
  output: () => string;
  stop: () => Promise<void>;
}

async function serve(dataDir: string, logLevel: string): Promise<Served> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: logLevel };
  delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    ['bin/fraudwatch.js', 'serve', '--no-models', '--port', String(port), '--data-dir', dataDir],
    { env },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  for (let i = 0; i < 300 && !out.includes('listening on') && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /listening on/, `serve did not start: ${err}`);
  return {
    port,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

const requestLines = (text: string) =>
  text.split('\n').filter((l) => /"msg":"(incoming request|request completed)"/.test(l));

test('LOG_LEVEL: requests are logged at info, and warn prints no per-request line', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-logs-'));
  for (const [level, expectLines] of [
    ['info', true],
    ['warn', false],
  ] as const) {
    const s = await serve(dataDir, level);
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await fetch(`http://127.0.0.1:${s.port}/health/live`)).status, 200);
      await new Promise((r) => setTimeout(r, 300)); // pino writes asynchronously
      const lines = requestLines(s.output());
      if (expectLines) {
        assert.ok(lines.length >= 3, `LOG_LEVEL=info logs each request:\n${s.output()}`);
        for (const line of lines) assert.equal((JSON.parse(line) as { level: number }).level, 30, 'at info');
      } else assert.deepEqual(lines, [], 'LOG_LEVEL=warn: no per-request line');
    } finally {
      await s.stop();
    }
  }
});

test('at start, a store whose admin key never acted says how to make another; once one has acted, nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-hint-'));
  const first = await serve(dataDir, 'silent');
  await first.stop();
  assert.match(first.output(), /created the first admin key/);
  assert.doesNotMatch(first.output(), /keys create/, 'the first start has just made the key');
  const adminKey = readFileSync(join(dataDir, 'admin-key.txt'), 'utf8').trim();

  const second = await serve(dataDir, 'silent');
  try {
    assert.match(
      second.output(),
      /no admin key has made a change yet \("first-admin"\); if the key was missed, it cannot be shown again: make another with `fraudwatch keys create --role admin --name NAME --data-dir [^`]+`/,
    );
    // the hint's own command works as printed
    const r = await fetch(`http://127.0.0.1:${second.port}/api/v1/settings/decision`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ bypass: false }),
    });
    assert.equal(r.status, 200, await r.text());
  } finally {
    await second.stop();
  }
  const third = await serve(dataDir, 'silent');
  await third.stop();
  assert.doesNotMatch(third.output(), /admin key/, 'the admin key has acted: no hint');

  const noAdmin = mkdtempSync(join(tmpdir(), 'fraudwatch-hint-'));
  const made = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'keys', 'create', '--role', 'analyst', '--name', 'alice', '--data-dir', noAdmin],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } },
  );
  assert.equal(made.status, 0, made.stderr);
  const fourth = await serve(noAdmin, 'silent');
  await fourth.stop();
  assert.match(
    fourth.output(),
    /no active admin key: make one with `fraudwatch keys create --role admin --name NAME --data-dir /,
  );
  const hinted = /`(fraudwatch keys create [^`]+)`/.exec(fourth.output())![1]!;
  const args = hinted.replace('NAME', 'ops').split(' ').slice(1);
  const viaHint = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
  assert.equal(viaHint.status, 0, viaHint.stderr);
  assert.match(viaHint.stdout, /created admin key "ops"/);
});
