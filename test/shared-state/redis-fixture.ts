/**
 * Redis for the shared-state tests: the machine's server (127.0.0.1:6379, or REDIS_URL) for most, and a private
 * redis-server on a free port for the test that stops and restarts it. Missing Redis is loud, and in CI a failure.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { createClient } from 'redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function requireRedis(t: TestContext, url = REDIS_URL): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (e) {
    const why = `Redis at ${url} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(`required in CI: ${why}`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return false;
  } finally {
    if (client.isOpen) await client.close().catch(() => undefined);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of our own, in memory only. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const client = createClient({ url, socket: { connectTimeout: 200, reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.close();
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not start`);
}
