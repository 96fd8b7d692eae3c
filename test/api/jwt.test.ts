import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../../src/api/app.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-jwt-')), 'jwt.db'));
await store.migrate();
const service = new DecisionService(new Engine(), store);
const secret = 'a-test-secret-of-enough-length-0123456789';
const hsApp = buildApp({ service, jwt: { secret, issuer: 'idp' } });
const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
const rsApp = buildApp({ service, jwt: { jwks: { keys: [jwk] } } });
after(async () => {
  await hsApp.close();
  await rsApp.close();
  await store.close();
});

const hs = (claims: Record<string, unknown>, expires = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('carol')
    .setIssuer('idp')
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));

test('HS256 bearer tokens: the role claim decides; bad, expired or role-less tokens are 401', async () => {
  const get = (token: string) =>
    hsApp.inject({ method: 'GET', url: '/api/v1/rules', headers: { authorization: `Bearer ${token}` } });
  assert.equal((await get(await hs({ role: 'auditor' }))).statusCode, 200);
  assert.equal((await get(await hs({ role: 'service' }))).statusCode, 403);
  assert.equal((await get(await hs({}))).statusCode, 401);
  assert.equal((await get(await hs({ role: 'admin' }, '-1m'))).statusCode, 401, 'expired');
  const forged = await new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('idp')
    .sign(new TextEncoder().encode('another-secret-another-secret-000'));
  const r = await get(forged);
  assert.equal(r.statusCode, 401);
  assert.match(r.json().message, /bearer token rejected/);
  const wrongIssuer = await new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('elsewhere')
    .sign(new TextEncoder().encode(secret));
  assert.equal((await get(wrongIssuer)).statusCode, 401);
});

test('RS256 via a JWKS; the token subject is the actor in the audit trail', async () => {
  await service.decide({
    transaction_id: 'j1',
    timestamp: '2026-03-01T10:00:00Z',
    account_id: 'a',
    amount: 8,
    currency: 'EUR',
  });
  const token = await new SignJWT({ role: 'analyst' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('dave')
    .setExpirationTime('5m')
    .sign(privateKey);
  const r = await rsApp.inject({
    method: 'PUT',
    url: '/api/v1/anomalies/j1',
    headers: { authorization: `Bearer ${token}` },
    payload: { status: 'legitimate' },
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal((await store.listAudit({ transaction_id: 'j1' }))[0]?.actor, 'dave', 'the sub, never "jwt"');
  const hsToken = await hs({ role: 'admin' });
  assert.equal(
    (
      await rsApp.inject({
        method: 'GET',
        url: '/api/v1/rules',
        headers: { authorization: `Bearer ${hsToken}` },
      })
    ).statusCode,
    401,
    'HS256 is not accepted where a JWKS is configured',
  );
});

test('a token must carry exp and sub, and may not live longer than JWT_MAX_LIFETIME (default 24 h)', async () => {
  const key = new TextEncoder().encode(secret);
  const sign = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('idp')).sign(key);
  const get = async (token: string) => {
    const r = await hsApp.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    return { status: r.statusCode, message: r.json().message as string };
  };
  const forever = await get(await sign((j) => j.setSubject('eve').setIssuedAt()));
  assert.equal(forever.status, 401, 'no exp: it would be accepted forever');
  assert.match(forever.message, /"exp" claim/);
  const nobody = await get(await sign((j) => j.setIssuedAt().setExpirationTime('5m')));
  assert.equal(nobody.status, 401, 'no sub: no one to name in the audit trail');
  assert.match(nobody.message, /"sub" claim/);
  const long = await get(await sign((j) => j.setSubject('eve').setIssuedAt().setExpirationTime('25h')));
  assert.equal(long.status, 401);
  assert.match(long.message, /JWT_MAX_LIFETIME \(86400 s\)/);
  const longWithoutIat = await get(await sign((j) => j.setSubject('eve').setExpirationTime('30d')));
  assert.equal(longWithoutIat.status, 401, 'without iat the lifetime is counted from now');
  const day = await get(await sign((j) => j.setSubject('eve').setIssuedAt().setExpirationTime('23h')));
  assert.equal(day.status, 200);
  const shortApp = buildApp({ service, jwt: { secret, issuer: 'idp', maxLifetimeSeconds: 600 } });
  try {
    const token = await sign((j) => j.setSubject('eve').setIssuedAt().setExpirationTime('1h'));
    const r = await shortApp.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.statusCode, 401, 'a shorter maximum is enforced');
  } finally {
    await shortApp.close();
  }
});
