/** The rate limit as the service runs it: budgets for authenticated callers, per address for everyone else. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-ratelimit-')), 'rl.db'));
await store.migrate();
const service = new DecisionService(new Engine(), store, Date.now, 1000, new Metrics());
const admin = (await createApiKey(store, 'admin', 'admin-key')).key;
const apps: ReturnType<typeof buildApp>[] = [];
const appWith = (options: Omit<Parameters<typeof buildApp>[0], 'service'>) => {
  const app = buildApp({ service, ...options });
  apps.push(app);
  return app;
};
after(async () => {
  for (const app of apps) await app.close();
  await store.close();
});

const madeUpKey = (): string => `fw_${randomBytes(32).toString('base64url')}`;

test('100,000 made-up keys shaped like real ones do not free an exhausted real key', async () => {
  // The clock stands still: on a busy machine the flood may take longer than the minute it has to fit in.
  const app = appWith({ rateLimitPerMinute: 3, anonymousRateLimitPerMinute: 5, rateLimitClock: () => 1e12 });
  const asAdmin = () => app.inject({ url: '/api/v1/rules', headers: { 'x-api-key': admin } });
  for (let i = 0; i < 3; i++) assert.equal((await asAdmin()).statusCode, 200);
  assert.equal((await asAdmin()).statusCode, 429, 'the real key is exhausted');
  const codes = new Map<number, number>();
  for (let i = 0; i < 100_000; i++) {
    const r = await app.inject({
      url: '/api/v1/rules',
      headers: { 'x-api-key': madeUpKey() },
      // The flood comes from many addresses, so that the address counters are evicted too.
      remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    });
    codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1);
  }
  assert.deepEqual([...codes], [[401, 100_000]], 'each made-up key is refused, none gets a budget');
  const still = await asAdmin();
  assert.equal(still.statusCode, 429, 'the real key is still exhausted');
  assert.ok(Number(still.headers['retry-after']) > 0);
});

test('refused credentials count against the address: past its budget they are 429s, a real key is not', async () => {
  const app = appWith({ rateLimitPerMinute: 100, anonymousRateLimitPerMinute: 2 });
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const headers = i % 2 === 0 ? { 'x-api-key': madeUpKey() } : ({} as Record<string, string>);
    codes.push((await app.inject({ url: '/api/v1/rules', headers })).statusCode);
  }
  assert.deepEqual(codes, [401, 401, 429, 429]);
  const junk = await app.inject({ url: '/api/v1/rules', headers: { 'x-api-key': 'x'.repeat(8000) } });
  assert.equal(junk.statusCode, 429, 'a header that cannot be a key is the address too');
  const keyed = await app.inject({ url: '/api/v1/rules', headers: { 'x-api-key': admin } });
  assert.equal(keyed.statusCode, 200, 'an authenticated key has its own budget, from the same address');
  assert.equal(keyed.headers['x-ratelimit-limit'], '100');
});

test('X-Forwarded-For is ignored unless the peer is a trusted proxy (TRUST_PROXY)', async () => {
  const from = async (
    app: ReturnType<typeof buildApp>,
    remoteAddress: string,
    forwardedFor: string[],
  ): Promise<number[]> => {
    const codes: number[] = [];
    for (const client of forwardedFor) {
      const r = await app.inject({ url: '/health', remoteAddress, headers: { 'x-forwarded-for': client } });
      codes.push(r.statusCode);
    }
    return codes;
  };
  const clients = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
  const direct = appWith({ anonymousRateLimitPerMinute: 2 });
  assert.deepEqual(
    await from(direct, '198.51.100.9', clients),
    [200, 200, 429],
    'without TRUST_PROXY: one budget, the peer',
  );
  const proxied = appWith({ anonymousRateLimitPerMinute: 2, trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
  assert.deepEqual(
    await from(proxied, '10.1.2.3', clients),
    [200, 200, 200],
    'through a trusted proxy: a budget per client it names',
  );
  assert.deepEqual(await from(proxied, '10.1.2.3', ['203.0.113.1', '203.0.113.1']), [200, 429]);
  assert.deepEqual(
    await from(proxied, '198.51.100.9', clients),
    [200, 200, 429],
    'a peer that is not a trusted proxy cannot name clients',
  );
});

test('probes and the metrics scrape never get a 429, even from an exhausted address', async () => {
  const app = appWith({ rateLimitPerMinute: 1, anonymousRateLimitPerMinute: 1 });
  assert.equal((await app.inject({ url: '/health' })).statusCode, 200);
  assert.equal((await app.inject({ url: '/health' })).statusCode, 429, 'the address is exhausted');
  for (let i = 0; i < 50; i++) {
    for (const url of ['/health/live', '/health/ready', '/metrics']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 200)}`);
    }
  }
});
