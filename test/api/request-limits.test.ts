/**
 * The HTTP exchange's own limits against a real listening app, over raw sockets: trickled bodies are cut off,
 * oversized bodies, URLs and headers get 413 / 414 / 431 in the documented error shape with the security
 * headers, and the connection is closed rather than left waiting for a body nobody reads.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { httpLimitsFromEnv } from '../../src/api/request-limits.ts';
import { SECURITY_HEADERS } from '../../src/api/security-headers.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const REQUEST_TIMEOUT_MS = 1000;
const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-limits-')), 'limits.db'));
await store.migrate();
const app = buildApp({
  service: new DecisionService(new Engine({ labelDelayMs: 0 }), store),
  httpLimits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, checkIntervalMs: 100 },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const serviceKey = (await createApiKey(store, 'service', 'checkout')).key;
after(async () => {
  await app.close();
  await store.close();
});

interface Exchange {
  /** Everything the server sent. */
  text: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfter: number;
}

/**
 * Sends `head` (and then `trickle`, one byte every `everyMs`, while the socket is open) and waits for the
 * server to close the connection, at most `waitMs`.
 */
function exchange(head: string | Buffer, trickle = '', everyMs = 200, waitMs = 10_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]!);
    }, everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open past ${waitMs} ms`));
    }, waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined); // a reset after the answer is a close too
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedAfter: performance.now() - began });
    });
    socket.write(head);
  });
}

/** The first response in `text`: status, lower-cased headers, parsed JSON body. */
function response(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head!.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  const raw = rest.join('\r\n\r\n');
  const length = Number(headers['content-length'] ?? raw.length);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(raw.slice(0, length)) };
}

function assertError(text: string, status: number, error: string): void {
  const r = response(text);
  assert.equal(r.status, status, JSON.stringify(r.body));
  const body = r.body as { error: string; message: string; details: unknown[] };
  assert.equal(body.error, error);
  assert.ok(body.message.length > 0);
  assert.deepEqual(body.details, []);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[name], value, name);
}

const post = (headers: string, length: number) =>
  `POST /api/v1/transactions HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n` +
  `content-length: ${length}\r\n${headers}\r\n`;

test('a trickled body without a key gets its 401 and the connection closed at once', async () => {
  const r = await exchange(post('', 1000), '{"transaction_id": "slow"}', 200);
  assertError(r.text, 401, 'unauthorized');
  assert.equal(response(r.text).headers.connection, 'close');
  assert.ok(r.closedAfter < 1000, `closed after ${r.closedAfter.toFixed(0)} ms`);
});

test('a trickled body with a key is cut off with a 408 once the request timeout passes', async () => {
  const r = await exchange(post(`x-api-key: ${serviceKey}\r\n`, 1000), 'x'.repeat(100), 200);
  assertError(r.text, 408, 'request_timeout');
  assert.ok(r.closedAfter >= REQUEST_TIMEOUT_MS * 0.9, `not before the timeout: ${r.closedAfter.toFixed(0)}`);
  assert.ok(r.closedAfter < REQUEST_TIMEOUT_MS + 1000, `closed after ${r.closedAfter.toFixed(0)} ms`);
});

test('a body over 1 MiB is a 413, by its length or as it streams, and the connection is closed', async () => {
  const declared = await exchange(post(`x-api-key: ${serviceKey}\r\n`, 2 << 20) + '{"a": "');
  assertError(declared.text, 413, 'payload_too_large');
  assert.ok(declared.closedAfter < 2000);
  const chunk = 'x'.repeat(64 * 1024);
  const chunked = Buffer.from(
    `POST /api/v1/transactions HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n` +
      `x-api-key: ${serviceKey}\r\ntransfer-encoding: chunked\r\n\r\n` +
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(20),
  );
  const streamed = await exchange(chunked);
  assertError(streamed.text, 413, 'payload_too_large');
});

test('a URL over 8 KiB is a 414; headers over 16 KiB are a 431', async () => {
  for (const length of [9000, 20_000]) {
    const r = await exchange(`GET /health/live?${'q'.repeat(length)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    assertError(r.text, 414, 'uri_too_long');
  }
  const r = await exchange(
    `GET /health/live HTTP/1.1\r\nHost: localhost\r\nx-big: ${'h'.repeat(20_000)}\r\n\r\n`,
  );
  assertError(r.text, 431, 'headers_too_large');
});

test('ordinary requests keep their connection alive', async () => {
  const get = 'GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n';
  const r = await exchange(
    get + get + 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nconnection: close\r\n\r\n',
  );
  assert.equal(r.text.match(/HTTP\/1.1 200 OK/g)?.length, 3, 'three answers on one connection');
  assert.equal(r.text.match(/connection: close/gi)?.length, 1, 'only the last, which asked, closes');
});

test('the timeouts come from HTTP_REQUEST_TIMEOUT_MS and HTTP_IDLE_TIMEOUT_MS', () => {
  const limits = httpLimitsFromEnv({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_IDLE_TIMEOUT_MS: '7000' });
  assert.equal(limits.requestTimeoutMs, 5000);
  assert.equal(limits.headersTimeoutMs, 5000, 'headers within the request timeout');
  assert.equal(limits.idleTimeoutMs, 7000);
  assert.equal(httpLimitsFromEnv({}).requestTimeoutMs, 30_000);
  assert.throws(() => httpLimitsFromEnv({ HTTP_REQUEST_TIMEOUT_MS: 'soon' }), /HTTP_REQUEST_TIMEOUT_MS/);
});
