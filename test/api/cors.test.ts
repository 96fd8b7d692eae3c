/** CORS against a real listening app: a browser on an allowed origin may call every method the API uses. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const ORIGIN = 'https://console.example';
const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-cors-')), 'cors.db'));
await store.migrate();
const app = buildApp({
  service: new DecisionService(new Engine({ labelDelayMs: 0 }), store),
  corsOrigins: [ORIGIN],
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const admin = (await createApiKey(store, 'admin', 'root')).key;
after(async () => {
  await app.close();
  await store.close();
});

/** One HTTP exchange as a browser makes it (node:http: fetch would not let us set Origin freely). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a preflight for PUT from an allowed origin is allowed, with the headers the API needs', async () => {
  const preflight = await send('OPTIONS', '/api/v1/settings/decision', {
    origin: ORIGIN,
    'access-control-request-method': 'PUT',
    'access-control-request-headers': 'content-type,x-api-key',
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], ORIGIN);
  const methods = String(preflight.headers['access-control-allow-methods']).split(/, */);
  for (const method of ['GET', 'HEAD', 'POST', 'PUT']) assert.ok(methods.includes(method), method);
  const allowed = String(preflight.headers['access-control-allow-headers']).split(/, */);
  for (const header of ['content-type', 'x-api-key', 'authorization'])
    assert.ok(allowed.includes(header), header);

  // The request the preflight was for goes through and is readable by the page.
  const current = JSON.parse(
    (await send('GET', '/api/v1/settings/decision', { origin: ORIGIN, 'x-api-key': admin })).body,
  );
  const put = await send(
    'PUT',
    '/api/v1/settings/decision',
    { origin: ORIGIN, 'x-api-key': admin, 'content-type': 'application/json' },
    JSON.stringify({ thresholds: current.thresholds }),
  );
  assert.equal(put.status, 200, put.body);
  assert.equal(put.headers['access-control-allow-origin'], ORIGIN);
});

test('another origin gets no CORS permission', async () => {
  const preflight = await send('OPTIONS', '/api/v1/settings/decision', {
    origin: 'https://evil.example',
    'access-control-request-method': 'PUT',
  });
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
});
