import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

test('serve: first start prints an admin key; keys made by the CLI work; Ctrl-C stops it cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-serve-'));
  const made = spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'keys', 'create', '--role', 'service', '--data-dir', dataDir],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  const serviceKey = made.stdout.trim().split('\n').pop()!;
  assert.match(serviceKey, /^fw_[A-Za-z0-9_-]{43}$/, 'the key alone on the last line');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    ['bin/fraudwatch.js', 'serve', '--no-models', '--port', String(port), '--data-dir', dataDir],
    {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    for (let i = 0; i < 100 && !out.includes('listening on'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(out, /first admin key/, 'a store that has keys gets no new admin key');
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': serviceKey },
      body: JSON.stringify({
        transaction_id: 'live-1',
        timestamp: '2026-03-01T10:00:00Z',
        account_id: 'a',
        amount: 12.5,
        currency: 'EUR',
      }),
    });
    assert.equal(r.status, 201);
    assert.equal(((await r.json()) as { decision: { outcome: string } }).decision.outcome, 'approve');
    assert.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200);
  } finally {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, 'clean exit on Ctrl-C');
  }
  const fresh = mkdtempSync(join(tmpdir(), 'fraudwatch-serve-'));
  const first = spawn(
    process.execPath,
    ['bin/fraudwatch.js', 'serve', '--no-models', '--port', String(port + 1), '--data-dir', fresh],
    {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  let firstOut = '';
  first.stdout.setEncoding('utf8').on('data', (d: string) => (firstOut += d));
  for (let i = 0; i < 100 && !firstOut.includes('listening on'); i++)
    await new Promise((r) => setTimeout(r, 100));
  first.kill('SIGTERM');
  await once(first, 'exit');
  // stdout is a pipe, not a terminal: the key goes to a file only its owner can read, and only its path is printed.
  const keyFile = join(fresh, 'admin-key.txt');
  assert.match(firstOut, new RegExp(`created the first admin key; .* it is in ${keyFile} \\(mode 0600\\)`));
  assert.doesNotMatch(firstOut, /fw_[A-Za-z0-9_-]{43}/, 'the key itself is not in the output');
  assert.match(readFileSync(keyFile, 'utf8'), /^fw_[A-Za-z0-9_-]{43}\n$/);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const listed = spawnSync(process.execPath, ['bin/fraudwatch.js', 'keys', 'list', '--data-dir', fresh], {
    encoding: 'utf8',
  });
  assert.match(listed.stdout, /admin +first-admin .* active/);
});
