import assert from 'node:assert/strict';
import test from 'node:test';
import Fastify from 'fastify';
import { errorHandler } from '../../src/api/errors.ts';
import { addressBudgetKey, registerRateLimit } from '../../src/api/rate-limit.ts';
import { WindowCounters } from '../../src/api/window-counters.ts';
import { registerSecurityHeaders, SECURITY_HEADERS } from '../../src/api/security-headers.ts';

function appWith(max: number, clock: { t: number }, maxCounters?: number) {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  registerSecurityHeaders(app);
  const limiter = registerRateLimit(app, {
    perCaller: max,
    perAddress: max,
    windowMs: 60_000,
    maxCounters,
    exempt: ['/probe'],
    now: () => clock.t,
  });
  app.get('/json', async () => ({ ok: true }));
  app.get('/probe', async () => ({ ok: true }));
  app.get('/page', async (_q, reply) => reply.type('text/html').send('<p>hi</p>'));
  return { app, limiter };
}

test('every response carries the security headers, errors included', async () => {
  const { app } = appWith(1, { t: 0 });
  for (const url of ['/json', '/page', '/nowhere', '/json']) {
    const res = await app.inject({ url });
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(res.headers[name], value, `${url}: ${name}`);
  }
  assert.equal(SECURITY_HEADERS['x-content-type-options'], 'nosniff');
  assert.equal(SECURITY_HEADERS['x-frame-options'], 'SAMEORIGIN');
});

test('rate limit: counted per address in fixed windows, 429 with Retry-After past the limit, then a new window', async () => {
  const clock = { t: 1_000_000 };
  const { app } = appWith(2, clock);
  const get = (remoteAddress: string) => app.inject({ url: '/json', remoteAddress });
  const first = await get('10.0.0.1');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-ratelimit-limit'], '2');
  assert.equal(first.headers['x-ratelimit-remaining'], '1');
  assert.equal(first.headers['x-ratelimit-reset'], '60');
  assert.equal((await get('10.0.0.1')).statusCode, 200);
  clock.t += 45_000;
  const limited = await get('10.0.0.1');
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().error, 'rate_limited');
  assert.equal(limited.headers['retry-after'], '15');
  assert.equal(limited.headers['x-ratelimit-remaining'], '0');
  assert.equal((await get('10.0.0.2')).statusCode, 200, 'another address has its own budget');
  clock.t += 15_000; // the window ends: this address's count starts again
  const again = await get('10.0.0.1');
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['x-ratelimit-remaining'], '1');
  assert.equal(again.headers['x-ratelimit-reset'], '60');
});

test('rate limit: an IPv6 client is counted by its /64, so it cannot make up addresses to get new budgets', async () => {
  assert.equal(addressBudgetKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressBudgetKey('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
  assert.equal(addressBudgetKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressBudgetKey('::1'), '0:0:0:0::/64');
  assert.equal(addressBudgetKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressBudgetKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressBudgetKey('192.0.2.7'), '192.0.2.7');
  const { app } = appWith(2, { t: 0 });
  const codes = [];
  for (const host of ['1', '2', '3'])
    codes.push((await app.inject({ url: '/json', remoteAddress: `2001:db8:7:7::${host}` })).statusCode);
  assert.deepEqual(codes, [200, 200, 429]);
});

test('rate limit: memory stays bounded without a reset: 100,000 new addresses leave an exhausted one exhausted', async () => {
  const clock = { t: 0 };
  const { app, limiter } = appWith(1, clock, 1000);
  assert.equal((await app.inject({ url: '/json', remoteAddress: '10.9.9.9' })).statusCode, 200);
  assert.equal((await app.inject({ url: '/json', remoteAddress: '10.9.9.9' })).statusCode, 429);
  for (let i = 0; i < 100_000; i++) {
    // The exhausted address keeps trying (every 500 new addresses), so it is never the least recently used.
    if (i % 500 === 499) {
      const r = await app.inject({ url: '/json', remoteAddress: '10.9.9.9' });
      assert.equal(r.statusCode, 429, `after ${i + 1} made-up addresses`);
    }
    await app.inject({ url: '/json', remoteAddress: `172.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    assert.ok(limiter.sizes().addresses <= 1000);
  }
  assert.equal(limiter.sizes().addresses, 1000);
});

test('WindowCounters: forgets the least recently used caller past its capacity, one at a time', () => {
  const counters = new WindowCounters(60_000, 2);
  counters.hit('a', 0);
  counters.hit('b', 0);
  counters.hit('a', 1); // a is now the most recently used
  counters.hit('c', 2); // evicts b
  assert.equal(counters.size, 2);
  assert.equal(counters.hit('a', 3).count, 3, 'a kept its count');
  assert.equal(counters.hit('b', 3).count, 1, 'b was forgotten');
  assert.equal(counters.hit('a', 60_000).count, 1, "a's window ended");
});

test('rate limit: exempt routes (probes) are never limited', async () => {
  const { app } = appWith(1, { t: 0 });
  for (let i = 0; i < 20; i++) assert.equal((await app.inject({ url: '/probe' })).statusCode, 200);
  assert.equal((await app.inject({ url: '/json' })).statusCode, 200);
  assert.equal((await app.inject({ url: '/json' })).statusCode, 429);
  assert.equal((await app.inject({ url: '/probe' })).statusCode, 200, 'also from an exhausted address');
});
