/** `fraudwatch keys`: expiry, rotation with and without a grace period, revocation; every change audited. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-keys-'));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', 'keys', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  return { ...r, last: r.stdout.trim().split('\n').pop()! };
};
const idOf = (stdout: string): string => /\(id ([0-9a-f-]{36})/.exec(stdout)![1]!;

test('keys: --expires, rotate (old key revoked at once, or after --grace), revoke; each audited; bad input named', async () => {
  const made = cli('create', '--role', 'analyst', '--name', 'alice', '--expires', '90d');
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.last, /^fw_[A-Za-z0-9_-]{43}$/);
  assert.match(made.stdout, /expires \d{4}-\d{2}-\d{2}T/);
  const aliceId = idOf(made.stdout);
  const first = made.last;
  const graced = cli('create', '--role', 'service', '--name', 'checkout');
  const checkoutId = idOf(graced.stdout);

  const rotated = cli('rotate', aliceId);
  assert.equal(rotated.status, 0, rotated.stderr);
  assert.match(rotated.stdout, /the old key is revoked/);
  const second = rotated.last;
  assert.match(second, /^fw_[A-Za-z0-9_-]{43}$/);
  const withGrace = cli('rotate', checkoutId, '--grace', '1h');
  assert.equal(withGrace.status, 0, withGrace.stderr);
  assert.match(withGrace.stdout, /the old key works until \d{4}-/);
  assert.equal(cli('rotate', aliceId).status, 1, 'a revoked key cannot be rotated again');
  const badDuration = cli('create', '--role', 'admin', '--expires', 'soon');
  assert.notEqual(badDuration.status, 0);
  assert.match(badDuration.stderr, /--expires must be a duration such as 90s, 15min, 12h or 7d, got "soon"/);

  const listed = cli('list').stdout;
  assert.match(listed, new RegExp(`${aliceId} +analyst +alice .* revoked \\d{4}-`));
  assert.match(listed, new RegExp(`${checkoutId} +service +checkout .* revoked from \\d{4}-`));

  const store = new SqliteStore(join(dataDir, 'fraudwatch.db'));
  try {
    const app = buildApp({ service: new DecisionService(new Engine(), store) });
    const me = async (key: string) =>
      (await app.inject({ url: '/api/v1/me', headers: { 'x-api-key': key } })).statusCode;
    assert.equal(await me(second), 200, 'the new key works');
    const old = await app.inject({ url: '/api/v1/me', headers: { 'x-api-key': first } });
    assert.equal(old.statusCode, 401);
    assert.match(old.json().message, /revoked/);
    assert.equal(await me(withGrace.last), 200);
    await app.close();

    assert.equal(cli('revoke', checkoutId).status, 0, 'a key in its grace period can be revoked now');
    const trail = (await store.listAudit({})).filter((e) => e.action.startsWith('key_'));
    assert.deepEqual(
      trail.map((e) => [e.action, e.actor.startsWith('cli'), e.old_value]),
      [
        ['key_create', true, null],
        ['key_create', true, null],
        ['key_rotate', true, aliceId],
        ['key_rotate', true, checkoutId],
        ['key_revoke', true, checkoutId],
      ],
    );
    assert.ok(
      trail.every((e) => !JSON.stringify(e).includes('fw_')),
      'no key in the trail',
    );
  } finally {
    await store.close();
  }
});

test('an expired key is refused with a 401 that says so', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const { createApiKey } = await import('../../src/api/auth.ts');
  const past = await createApiKey(store, 'admin', 'old', Date.now() - 10_000, { expiresAt: Date.now() - 1 });
  const future = await createApiKey(store, 'admin', 'new', Date.now(), { expiresAt: Date.now() + 60_000 });
  const app = buildApp({ service: new DecisionService(new Engine(), store) });
  try {
    const expired = await app.inject({ url: '/api/v1/me', headers: { 'x-api-key': past.key } });
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().message, 'X-API-Key has expired');
    assert.equal(
      (await app.inject({ url: '/api/v1/me', headers: { 'x-api-key': future.key } })).statusCode,
      200,
    );
  } finally {
    await app.close();
    await store.close();
  }
});
