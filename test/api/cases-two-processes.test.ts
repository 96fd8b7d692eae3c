/**
 * Two real `fraudwatch serve` processes on one PostgreSQL schema, both sweeping every 100 ms: the flagged
 * decisions of each account, posted half to one and half to the other, end up in one case per account; each case
 * is auto-assigned once, and no member goes over their capacity.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createKey, freePort, startServe } from '../web/serve-process.ts';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_cases2_${process.pid}_${Date.now()}`;
const url = new URL(base);
url.searchParams.set('options', `-c search_path=${schema}`);
const env = {
  ...process.env,
  DATABASE_URL: url.toString(),
  LOG_LEVEL: 'warn',
  FRAUDWATCH_FOLLOW_INTERVAL_MS: '200',
  CASE_SWEEP_MS: '100',
};
const children: ChildProcess[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end().catch(() => undefined);
  }
});

async function serve(dataDir: string): Promise<string> {
  const served = await startServe(dataDir, await freePort(), env);
  children.push(served.process);
  return served.url;
}

const key = (dataDir: string, role: string, name: string): string => createKey(dataDir, role, name, env);

test('two servers sweeping one PostgreSQL store group each account once and assign each case once', async () => {
  const probe = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  await probe.connect();
  await probe.query(`CREATE SCHEMA ${schema}`);
  await probe.end();
  const dirA = mkdtempSync(join(tmpdir(), 'fraudwatch-cases2-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'fraudwatch-cases2-b-'));
  const admin = { 'x-api-key': key(dirA, 'admin', 'root'), 'content-type': 'application/json' };
  const checkout = { 'x-api-key': key(dirA, 'service', 'checkout'), 'content-type': 'application/json' };
  const a = await serve(dirA);
  const b = await serve(dirB);
  const send = async (at: string, method: string, path: string, headers: object, body?: unknown) => {
    const r = await fetch(`${at}${path}`, {
      method,
      headers: headers as Record<string, string>,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text);
  };

  await send(a, 'POST', '/api/v1/queues', admin, {
    name: 'all',
    members: [
      { name: 'm1', capacity: 3 },
      { name: 'm2', capacity: 2 },
    ],
    sla_seconds: 3600,
  });
  // Every decision flagged for review, in both processes (b follows the setting within 200 ms).
  await send(a, 'PUT', '/api/v1/settings/decision', admin, {
    thresholds: { review: 0, block_and_review: 0.99, decline: 1 },
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const accounts = 12;
  const posts = [];
  for (let i = 0; i < accounts; i++)
    for (const [n, at] of [a, b].entries())
      posts.push(
        send(at, 'POST', '/api/v1/transactions', checkout, {
          transaction_id: `two-${i}-${n}`,
          timestamp: Date.now(),
          account_id: `acct-${i}`,
          amount: 30 + n,
          currency: 'EUR',
          merchant_id: 'shop-two',
        }),
      );
  const decisions = await Promise.all(posts);
  assert.ok(decisions.every((d) => d.decision.outcome === 'review'));

  type Case = { id: string; account_id: string; alert_count: number; assignee: string | null };
  let cases: Case[] = [];
  const until = Date.now() + 20_000;
  for (;;) {
    const page = await send(b, 'GET', '/api/v1/cases?limit=200', admin);
    cases = page.items;
    const alerts = cases.reduce((s, c) => s + c.alert_count, 0);
    const assigned = cases.filter((c) => c.assignee !== null).length;
    if (alerts === 2 * accounts && assigned === 5) break;
    assert.ok(Date.now() < until, `not settled: ${JSON.stringify(cases)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Let both sweeps run a few more passes: nothing more may be handed out.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  cases = (await send(a, 'GET', '/api/v1/cases?limit=200', admin)).items;
  assert.equal(cases.length, accounts, 'one case per account');
  assert.equal(new Set(cases.map((c) => c.account_id)).size, accounts);
  assert.ok(cases.every((c) => c.alert_count === 2));
  const load = (m: string) => cases.filter((c) => c.assignee === m).length;
  assert.equal(load('m1'), 3, 'm1 at capacity, not over');
  assert.equal(load('m2'), 2, 'm2 at capacity, not over');
  for (const c of cases) {
    const detail = await send(a, 'GET', `/api/v1/cases/${c.id}`, admin);
    const assignments = detail.timeline.filter((e: { action: string }) => e.action === 'assigned');
    assert.ok(assignments.length <= 1, `${c.id} assigned ${assignments.length} times`);
  }
  const backlog = await send(b, 'GET', '/api/v1/queues/backlog', admin);
  assert.deepEqual(
    backlog.queues.map((q: { queue: string; active: number; unassigned: number }) => [
      q.queue,
      q.active,
      q.unassigned,
    ]),
    [['all', accounts, accounts - 5]],
  );
});
