/**
 * No request stalls the decision path: the audit's hostile rule documents and the largest dry run answer
 * quickly, and a real listening server keeps answering /health/live within 200 ms while they are in flight.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { MAX_DRY_RUN_ROWS } from '../../src/api/routes/rules.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-stall-')), 'stall.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
const app = buildApp({ service });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const analyst = (await createApiKey(store, 'analyst', 'alice')).key;
const auditor = (await createApiKey(store, 'auditor', 'audrey')).key;
after(async () => {
  await app.close();
  await store.close();
});

// The largest dry run finds as many stored decisions as it may look at.
const start = Date.UTC(2026, 2, 1);
for (let batch = 0; batch < MAX_DRY_RUN_ROWS / 1000; batch++) {
  const results = await service.decideMany(
    Array.from({ length: 1000 }, (_, i) => {
      const n = batch * 1000 + i;
      return {
        transaction_id: `stall-${n}`,
        timestamp: new Date(start + n * 1000).toISOString(),
        account_id: `acct-${n % 200}`,
        amount: 20 + (n % 50),
        currency: 'EUR',
        merchant_id: `shop-${n % 30}`,
      };
    }),
  );
  assert.ok(results.every((r) => r.kind === 'created'));
}

const rule = (i: number, when: unknown) => ({ id: `r${i}`, version: 1, when, score: 0.5, reason: 'why' });

// The first requests of a process compile routes and warm the JIT and the heap (once, some 200 ms): what is
// measured below is whether a request holds the loop, so each path is taken once beforehand.
await fetch(`${base}/health/live`);
for (const [url, body] of [
  [
    '/api/v1/rules/validate',
    { version: 'warm', rules: [rule(0, { field: 'c'.repeat(200), op: '>', value: 1 })] },
  ],
  ['/api/v1/rules/validate', { version: 'warm', rules: [rule(0, { field: 'amout', op: '>', value: 1 })] }],
  [
    '/api/v1/rules/dry-run',
    {
      document: { version: 'warm', rules: [rule(0, { field: 'amount', op: '>', value: 1 })] },
      last: MAX_DRY_RUN_ROWS,
    },
  ],
  [
    '/api/v1/rules/dry-run',
    { document: { version: 'warm', rules: [rule(0, { field: 'amout', op: '>', value: 1 })] } },
  ],
] as const) {
  await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'x-api-key': analyst, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

interface Answer {
  status: number;
  /** An error's shape or a dry run's result, as far as these tests read them. */
  body: {
    error?: string;
    details: { path: string; message: string }[];
    evaluated?: number;
    rules: { fired: number }[];
  };
  ms: number;
}

/** A request whose body is serialised now, before any clock starts (the client shares this process's loop). */
function post(url: string, key: string, body: unknown): () => Promise<Answer> {
  const payload = JSON.stringify(body);
  return async () => {
    const began = performance.now();
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: payload,
    });
    return { status: res.status, body: await res.json(), ms: performance.now() - began };
  };
}

/**
 * Sends the requests at once while polling /health/live; returns their answers, the slowest health answer and
 * the longest the event loop was held (ms).
 */
async function whileProbing(requests: (() => Promise<Answer>)[], idleMs = 0) {
  let done = false;
  let slowest = 0;
  let probes = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const probe = (async () => {
    while (!done) {
      const began = performance.now();
      const res = await fetch(`${base}/health/live`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - began);
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    const answers = await Promise.all([
      ...requests.map((r) => r()),
      new Promise<void>((resolve) => setTimeout(resolve, idleMs)),
    ]);
    return { answers: answers.slice(0, requests.length) as Answer[], slowest, probes, held: loop.max / 1e6 };
  } finally {
    done = true;
    loop.disable();
    await probe;
  }
}

/**
 * The same probe with no request in flight: on a shared, loaded machine the loop and the probe wait for a CPU
 * too, and that wait is not the requests' doing. The bounds below are 200 ms over it.
 */
async function machineJitter(): Promise<{ slowest: number; held: number }> {
  const { slowest, held } = await whileProbing([], 1000);
  return { slowest, held };
}

test('hostile rule documents get a 400 naming the path at once, and /health/live keeps answering', async () => {
  const listNames = Array.from({ length: 100 }, (_, i) => `list_${'x'.repeat(50)}${i}`);
  const unknownLists = {
    version: '1',
    lists: Object.fromEntries(listNames.map((n) => [n, []])),
    rules: Array.from({ length: 1000 }, (_, i) =>
      rule(i, { field: 'account_id', op: 'in_list', list: `no_${'y'.repeat(50)}${i}` }),
    ),
  };
  const longField = { version: '1', rules: [rule(0, { field: 'a'.repeat(600_000), op: '>', value: 1 })] };
  const dryRunField = { version: '1', rules: [rule(0, { field: 'b'.repeat(92_000), op: '>', value: 1 })] };
  const { answers, slowest, probes, held } = await whileProbing([
    post('/api/v1/rules/validate', analyst, longField),
    post('/api/v1/rules/validate', analyst, unknownLists),
    post('/api/v1/rules/dry-run', auditor, { document: dryRunField, last: MAX_DRY_RUN_ROWS }),
    post('/api/v1/rules/dry-run', auditor, { document: unknownLists }),
  ]);
  const [field, lists, dryField, dryLists] = answers as [Answer, Answer, Answer, Answer];
  for (const r of answers) {
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.error, 'bad_request');
    assert.ok(r.ms < 1000, `answered in ${r.ms.toFixed(0)} ms`);
  }
  assert.match(
    field.body.details[0]!.message,
    /^the rules document is 600\d+ characters as JSON; at most 262144$/,
  );
  assert.equal(lists.body.details[0]!.path, 'rules[0].when.list');
  assert.equal(lists.body.details.length, 101, 'a hundred problems and a note that there are more');
  assert.deepEqual(dryField.body.details, [
    { path: 'document.rules[0].when.field', message: 'is 92000 characters; at most 128' },
  ]);
  assert.equal(dryLists.body.details[0]!.path, 'document.rules[0].when.list');
  assert.ok(probes > 0);
  const idle = await machineJitter();
  assert.ok(
    held < 200 + idle.held,
    `the loop was held ${held.toFixed(0)} ms (idle: ${idle.held.toFixed(0)})`,
  );
  assert.ok(
    slowest < 200 + idle.slowest,
    `/health/live answered within ${slowest.toFixed(0)} ms (idle: ${idle.slowest.toFixed(0)})`,
  );
});

test(`a dry run over ${MAX_DRY_RUN_ROWS} decisions leaves /health/live answering; more rows are a 400`, async () => {
  const document = {
    version: 'dry',
    rules: [rule(0, { field: 'amount', op: '>=', value: 60 }), rule(1, { field: 'country', op: 'missing' })],
  };
  const { answers, slowest, held } = await whileProbing([
    post('/api/v1/rules/dry-run', auditor, { document, last: MAX_DRY_RUN_ROWS }),
    post('/api/v1/rules/dry-run', analyst, { document, last: MAX_DRY_RUN_ROWS }),
  ]);
  for (const r of answers) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.evaluated, MAX_DRY_RUN_ROWS);
    assert.equal(r.body.rules[0]!.fired, MAX_DRY_RUN_ROWS / 5, 'amounts 60..69 of 20..69');
    assert.equal(r.body.rules[1]!.fired, MAX_DRY_RUN_ROWS);
  }
  const idle = await machineJitter();
  assert.ok(
    held < 200 + idle.held,
    `the loop was held ${held.toFixed(0)} ms (idle: ${idle.held.toFixed(0)})`,
  );
  assert.ok(
    slowest < 200 + idle.slowest,
    `/health/live answered within ${slowest.toFixed(0)} ms (idle: ${idle.slowest.toFixed(0)})`,
  );
  const tooMany = await post('/api/v1/rules/dry-run', auditor, { document, last: MAX_DRY_RUN_ROWS + 1 })();
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.details[0]!.path, 'last');
});
