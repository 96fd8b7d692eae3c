/**
 * The real CLI: a `serve` holding undelivered webhooks (its receiver down) is killed with SIGKILL and started
 * again; the new process delivers everything that was pending, signed with the secret shown at creation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { Receiver } from '../webhooks/receiver.ts';

const ENV = {
  ...process.env,
  LOG_LEVEL: 'silent',
  FRAUDWATCH_WEBHOOK_BACKOFF_MS: '100',
  FRAUDWATCH_WEBHOOK_POLL_MS: '50',
  FRAUDWATCH_WEBHOOK_TIMEOUT_MS: '1000',
};

async function serve(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['bin/fraudwatch.js', 'serve', '--no-models', '--port', String(port), '--data-dir', dataDir],
    { env: ENV },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (let i = 0; i < 150 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /listening on/);
  return child;
}

test('serve killed with SIGKILL and restarted delivers the webhooks that were pending', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-serve-hooks-'));
  const made = spawnSync(
    process.execPath,
    [
      'bin/fraudwatch.js',
      'keys',
      'create',
      '--role',
      'admin',
      '--name',
      'hooks-admin',
      '--data-dir',
      dataDir,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  const headers = { 'content-type': 'application/json', 'x-api-key': made.stdout.trim().split('\n').pop()! };
  // A port that is closed until the receiver starts on it.
  const probe = await new Receiver().start();
  const receiverPort = probe.port;
  await probe.stop();
  const port = 20000 + Math.floor(Math.random() * 20000);
  let child = await serve(dataDir, port);
  const base = `http://127.0.0.1:${port}`;
  const receiver = new Receiver();
  try {
    const created = await fetch(`${base}/api/v1/webhooks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: `http://127.0.0.1:${receiverPort}/hook`, events: ['decision.flagged'] }),
    });
    assert.equal(created.status, 201);
    const hook = (await created.json()) as { id: string; secret: string };
    for (let i = 1; i <= 3; i++) {
      const r = await fetch(`${base}/api/v1/transactions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          transaction_id: `hook17-kill-${i}`,
          timestamp: new Date().toISOString(),
          account_id: `hook17-kill-acct-${i}`,
          amount: 5000,
          currency: 'EUR',
          merchant_id: 'shop',
        }),
      });
      assert.equal(r.status, 201);
      assert.equal(((await r.json()) as { decision: { outcome: string } }).decision.outcome, 'review');
    }
    // Tried and failed (the receiver is down) before the kill.
    for (let i = 0; ; i++) {
      const log = (await (
        await fetch(`${base}/api/v1/webhooks/${hook.id}/deliveries`, { headers })
      ).json()) as { items: { attempts: number; status: string }[] };
      if (log.items.length === 3 && log.items.every((d) => d.attempts >= 1 && d.status === 'pending')) break;
      assert.ok(i < 200, JSON.stringify(log));
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    await receiver.start(receiverPort);
    child = await serve(dataDir, port);
    const got = await receiver.waitFor(3, 20_000);
    assert.deepEqual(
      receiver
        .events()
        .map((e) => e.data.transaction_id)
        .sort(),
      ['hook17-kill-1', 'hook17-kill-2', 'hook17-kill-3'],
    );
    for (const g of got)
      assert.ok(
        verifySignature(
          hook.secret,
          String(g.headers['x-fraudwatch-timestamp']),
          g.body,
          String(g.headers['x-fraudwatch-signature']),
        ),
      );
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await receiver.stop();
  }
});
