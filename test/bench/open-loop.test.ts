/** The open-loop load generator: sends at the asked rate and measures from the due instant, queueing included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLoop } from '../../bench/open-loop.ts';

async function server(delayMs: number): Promise<{ url: string; bodies: string[]; close: () => void }> {
  const bodies: string[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      setTimeout(
        () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}'),
        delayMs,
      );
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/x`,
    bodies,
    close: () => s.close(),
  };
}

test('sends every request at the asked rate with its own body and measures the server delay', async () => {
  const srv = await server(20);
  let n = 0;
  const r = await openLoop({
    url: srv.url,
    body: () => `{"n":${++n}}`,
    rate: 200,
    seconds: 2,
    connections: 16,
  });
  srv.close();
  assert.equal(r.completed, 400);
  assert.equal(r.errors, 0);
  assert.equal(r.non2xx, 0);
  assert.equal(new Set(srv.bodies).size, 400, 'a new body for each request');
  assert.ok(r.achieved_rps > 150 && r.achieved_rps <= 205, `achieved ${r.achieved_rps}`);
  assert.ok(r.p50_ms >= 20 && r.p50_ms < 40, `p50 ${r.p50_ms}`);
});

test('requests due while every connection is busy wait, and the wait counts in their latency', async () => {
  const srv = await server(50);
  // One connection answers 20 a second; 100 a second are due, so the queue and the latency grow.
  const r = await openLoop({ url: srv.url, rate: 100, seconds: 1, connections: 1, method: 'GET' });
  srv.close();
  assert.equal(r.completed, 100);
  assert.ok(r.max_ms > 3000, `the last request waited for the 99 before it: max ${r.max_ms} ms`);
  assert.ok(r.achieved_rps < 30, `achieved ${r.achieved_rps}`);
});
