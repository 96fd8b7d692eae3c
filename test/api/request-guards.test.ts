import assert from 'node:assert/strict';
import test from 'node:test';
import Fastify from 'fastify';
import { errorHandler } from '../../src/api/errors.ts';
import { registerRateLimit } from '../../src/api/rate-limit.ts';
import { registerSecurityHeaders, SECURITY_HEADERS } from '../../src/api/security-headers.ts';

function appWith(max: number, clock: { t: number }, maxKeys?: number) {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  registerSecurityHeaders(app);
  registerRateLimit(app, {
    max,
    windowMs: 60_000,
    maxKeys,
    keyOf: (r) => String(r.headers['x-api-key'] ?? r.ip),
    now: () => clock.t,
  });
  app.get('/json', async () => ({ ok: true }));
  app.get('/page', async (_q, reply) => reply.type('text/html').send('<p>hi</p>'));
  return app;
}

test('every response carries the security headers, errors included', async () => {
  const app = appWith(1, { t: 0 });
  for (const url of ['/json', '/page', '/nowhere', '/json']) {
    const res = await app.inject({ url });
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(res.headers[name], value, `${url}: ${name}`);
  }
  assert.equal(SECURITY_HEADERS['x-content-type-options'], 'nosniff');
  assert.equal(SECURITY_HEADERS['x-frame-options'], 'SAMEORIGIN');
});

test('rate limit: counted per key in fixed windows, 429 with Retry-After past the limit, then a new window', async () => {
  const clock = { t: 1_000_000 };
  const app = appWith(2, clock);
  const get = (key: string) => app.inject({ url: '/json', headers: { 'x-api-key': key } });
  const first = await get('a');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-ratelimit-limit'], '2');
  assert.equal(first.headers['x-ratelimit-remaining'], '1');
  assert.equal(first.headers['x-ratelimit-reset'], '60');
  assert.equal((await get('a')).statusCode, 200);
  clock.t += 45_000;
  const limited = await get('a');
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().error, 'rate_limited');
  assert.equal(limited.headers['retry-after'], '15');
  assert.equal(limited.headers['x-ratelimit-remaining'], '0');
  assert.equal((await get('b')).statusCode, 200, 'another key has its own budget');
  clock.t += 15_000; // the window ends: every count starts again
  const again = await get('a');
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['x-ratelimit-remaining'], '1');
  assert.equal(again.headers['x-ratelimit-reset'], '60');
});

test('rate limit: past maxKeys callers in one window the counts start over, so memory stays bounded', async () => {
  const clock = { t: 0 };
  const app = appWith(1, clock, 3);
  const get = (key: string) => app.inject({ url: '/json', headers: { 'x-api-key': key } });
  assert.equal((await get('a')).statusCode, 200);
  assert.equal((await get('a')).statusCode, 429);
  for (const key of ['b', 'c']) assert.equal((await get(key)).statusCode, 200);
  assert.equal((await get('a')).statusCode, 429, 'three callers: still counted');
  assert.equal((await get('d')).statusCode, 200, 'a fourth caller starts the counts over');
  const again = await get('a');
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['x-ratelimit-reset'], '60', 'in the same window');
});
