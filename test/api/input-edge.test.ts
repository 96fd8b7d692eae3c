/**
 * Every route's path parameters, query strings and bodies with the strings and numbers a store cannot take (NUL,
 * lone surrogates, Infinity, 1e309, numbers beyond BIGINT, crafted cursors), on both stores: each is a 400 that
 * names the field, never a 500, and nothing is written.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { MAX_ID_LENGTH } from '../../src/engine/transaction.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionStore } from '../../src/store/types.ts';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_edge_${process.pid}_${Date.now()}`;

async function adminQuery(sql: string): Promise<string | null> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
    await admin.query(sql);
    return null;
  } catch (e) {
    return `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function openPostgres(): Promise<DecisionStore | string> {
  const problem = await adminQuery(`CREATE SCHEMA ${schema}`);
  if (problem !== null) return problem;
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return new PostgresStore(url.toString(), 2);
}

after(async () => {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
/** JSON text, so that `\u0000`, `\ud800` and `1e309` reach the server exactly as a client could send them. */
const raw = (text: string) => ({ text });

interface Probe {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  body?: unknown;
  field: string;
}

const BEYOND_BIGINT = '99999999999999999999999';
const NUL = '%00';
const SURROGATE = '%ED%A0%80'; // what a lone \ud800 looks like as (CESU-8) bytes in a URL

function probes(): Probe[] {
  const out: Probe[] = [];
  const get = (url: string, field: string) => out.push({ method: 'GET', url, field });
  for (const id of [`a${NUL}b`, SURROGATE]) {
    get(`/api/v1/transactions/${id}`, 'id');
    get(`/api/v1/accounts/${id}/profile`, 'id');
    get(`/api/v1/accounts/${id}/transactions`, 'id');
    out.push({ method: 'PUT', url: `/api/v1/anomalies/${id}`, body: { status: 'legitimate' }, field: 'id' });
    out.push({ method: 'POST', url: `/api/v1/anomalies/${id}/reopen`, body: {}, field: 'id' });
    out.push({ method: 'PUT', url: `/api/v1/accounts/${id}/profile`, body: { reset: true }, field: 'id' });
  }
  const numbers = ['1e309', 'Infinity', '-Infinity', 'NaN', BEYOND_BIGINT, '1.5'];
  for (const path of ['/api/v1/anomalies', '/api/v1/anomalies/count']) {
    for (const text of [`a${NUL}`, SURROGATE]) {
      get(`${path}?account_id=${text}`, 'account_id');
      get(`${path}?from=${text}`, 'from');
    }
    for (const n of [...numbers, `-${BEYOND_BIGINT}`, '1e20']) {
      get(`${path}?from=${n}`, 'from');
      get(`${path}?to=${n}`, 'to');
    }
    for (const n of ['1e309', 'Infinity', '-Infinity', 'NaN']) get(`${path}?min_score=${n}`, 'min_score');
  }
  for (const n of numbers) {
    get(`/api/v1/anomalies?limit=${n}`, 'limit');
    get(`/api/v1/audit?limit=${n}`, 'limit');
    get(`/api/v1/accounts/acct-1/transactions?limit=${n}`, 'limit');
  }
  for (const field of ['transaction_id', 'actor', 'action'])
    for (const text of [`a${NUL}`, SURROGATE]) get(`/api/v1/audit?${field}=${text}`, field);
  const crafted = [
    Buffer.from('[1e400,"t1"]').toString('base64url'), // JSON.parse makes the key Infinity
    cursorOf([Number(BEYOND_BIGINT), 't1']),
    cursorOf([0.5, 'a\u0000b']),
    cursorOf([0.5, '\ud800']),
    cursorOf([0.5, 'x'.repeat(MAX_ID_LENGTH + 1)]),
    cursorOf(['0.5', 't1']),
    cursorOf([0.5]),
    cursorOf({ key: 0.5, id: 't1' }),
    'not a cursor',
    `abc${NUL}`,
  ];
  for (const cursor of crafted) get(`/api/v1/anomalies?cursor=${encodeURIComponent(cursor)}`, 'cursor');
  // A score cursor is no time cursor: its key is not an epoch in milliseconds.
  get(`/api/v1/anomalies?sort=time&cursor=${cursorOf([0.5, 't1'])}`, 'cursor');
  get(`/api/v1/anomalies?sort=time&cursor=${cursorOf([Number(BEYOND_BIGINT), 't1'])}`, 'cursor');
  get(`/api/v1/stats/overview?window=${NUL}`, 'window');
  const body = (method: 'PUT' | 'POST', url: string, text: string, field: string) =>
    out.push({ method, url, body: raw(text), field });
  for (const bad of ['\\u0000', '\\ud800', 'x\\udc00y']) {
    body('PUT', '/api/v1/anomalies/t-seed', `{"status":"legitimate","note":"a${bad}"}`, 'note');
    body('POST', '/api/v1/anomalies/t-seed/reopen', `{"note":"a${bad}"}`, 'note');
    body('PUT', '/api/v1/accounts/acct-1/profile', `{"reset":true,"note":"a${bad}"}`, 'note');
    body('POST', '/api/v1/rules/rollback', `{"version":"v${bad}"}`, 'version');
    body('PUT', '/api/v1/models/active', `{"kind":"gbdt","version":"g${bad}"}`, 'version');
    body('PUT', '/api/v1/rules', `{"version":"v${bad}","rules":[]}`, 'version');
    body(
      'POST',
      '/api/v1/transactions',
      `{"transaction_id":"t${bad}","timestamp":"2026-03-01T10:00:00Z","account_id":"a","amount":1}`,
      'transaction_id',
    );
  }
  body('POST', '/api/v1/rules/dry-run', '{"document":{},"last":1e309}', 'last');
  body('PUT', '/api/v1/settings/decision', '{"bypass_score":1e309}', 'bypass_score');
  body(
    'POST',
    '/api/v1/transactions',
    `{"transaction_id":"t-big","timestamp":${BEYOND_BIGINT},"account_id":"a","amount":1}`,
    'timestamp',
  );
  body(
    'POST',
    '/api/v1/transactions',
    '{"transaction_id":"t-inf","timestamp":"2026-03-01T10:00:00Z","account_id":"a","amount":1e309}',
    'amount',
  );
  return out;
}

function edgeSuite(name: string, open: () => Promise<DecisionStore | string>): void {
  let store: DecisionStore;
  let unavailable: string | null = null;
  const ready = (async () => {
    const opened = await open();
    if (typeof opened === 'string') unavailable = opened;
    else {
      store = opened;
      await store.migrate();
    }
  })();
  after(async () => {
    await ready;
    if (!unavailable) await store.close();
  });

  test(`${name}: every route answers bad strings and numbers with a 400 naming the field`, async (t) => {
    await ready;
    if (unavailable) {
      if (process.env.CI === 'true') assert.fail(`${name} is required in CI: ${unavailable}`);
      console.warn(`\n*** ${name} SKIPPED: ${unavailable} ***\n`);
      t.skip(unavailable);
      return;
    }
    const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
    const app = buildApp({ service });
    try {
      const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'edge-admin')).key };
      const seeded = await app.inject({
        method: 'POST',
        url: '/api/v1/transactions',
        headers: admin,
        payload: {
          transaction_id: 't-seed',
          timestamp: Date.UTC(2026, 2, 1),
          account_id: 'acct-1',
          amount: 5,
        },
      });
      assert.equal(seeded.statusCode, 201, seeded.body);
      const auditBefore = (await store.listAudit({ limit: 1000 })).length;
      const failures: string[] = [];
      for (const probe of probes()) {
        const body = probe.body as { text?: string } | undefined;
        const res = await app.inject({
          method: probe.method,
          url: probe.url,
          headers: { ...admin, ...(body ? { 'content-type': 'application/json' } : {}) },
          payload: body?.text ?? (body as object | undefined),
        });
        const where = `${probe.method} ${probe.url} ${body?.text ?? JSON.stringify(body) ?? ''}`;
        if (res.statusCode !== 400) {
          failures.push(`${where}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          continue;
        }
        const answer = res.json() as { error: string; message: string; details: { path: string }[] };
        if (answer.error !== 'bad_request' || typeof answer.message !== 'string')
          failures.push(`${where}: not the error shape: ${res.body.slice(0, 200)}`);
        else if (!answer.details.some((d) => d.path === probe.field))
          failures.push(`${where}: names ${JSON.stringify(answer.details)}, not ${probe.field}`);
      }
      assert.deepEqual(failures, []);
      const stored = await store.getTransaction('t-seed');
      assert.equal(stored?.status, 'none', 'no refused verdict was recorded (an approval has no case)');
      assert.equal((await store.listAudit({ limit: 1000 })).length, auditBefore, 'nothing was audited');
      for (const id of ['t\u0000', 't-big', 't-inf'])
        assert.equal(await store.getTransaction(id.replace('\u0000', '')), null);
    } finally {
      await app.close();
    }
  });

  test(`${name}: ids of every allowed length can be read and reviewed through their path`, async (t) => {
    await ready;
    if (unavailable) {
      if (process.env.CI === 'true') assert.fail(`${name} is required in CI: ${unavailable}`);
      t.skip(unavailable);
      return;
    }
    const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
    const app = buildApp({ service });
    try {
      const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'edge-ids')).key };
      // ASCII, and three-byte characters whose percent-encoding is nine times as long as the id.
      for (const id of ['L'.repeat(MAX_ID_LENGTH), '€'.repeat(MAX_ID_LENGTH), 'x'.repeat(101)]) {
        const account = `acct-${id}`.slice(0, MAX_ID_LENGTH);
        const created = await app.inject({
          method: 'POST',
          url: '/api/v1/transactions',
          headers: admin,
          payload: {
            transaction_id: id,
            timestamp: Date.UTC(2026, 2, 2),
            account_id: account,
            amount: 9000,
          },
        });
        assert.equal(created.statusCode, 201, created.body);
        const path = encodeURIComponent(id);
        const read = await app.inject({ url: `/api/v1/transactions/${path}`, headers: admin });
        assert.equal(read.statusCode, 200, `read ${id.length}: ${read.body.slice(0, 200)}`);
        assert.equal(read.json().transaction.transaction_id, id);
        const reviewed = await app.inject({
          method: 'PUT',
          url: `/api/v1/anomalies/${path}`,
          headers: admin,
          payload: { status: 'legitimate' },
        });
        assert.equal(reviewed.statusCode, 200, `review ${id.length}: ${reviewed.body.slice(0, 200)}`);
        const profile = await app.inject({
          url: `/api/v1/accounts/${encodeURIComponent(account)}/transactions`,
          headers: admin,
        });
        assert.equal(profile.statusCode, 200, profile.body.slice(0, 200));
      }
      const tooLong = await app.inject({
        method: 'POST',
        url: '/api/v1/transactions',
        headers: admin,
        payload: {
          transaction_id: 'x'.repeat(MAX_ID_LENGTH + 1),
          timestamp: Date.UTC(2026, 2, 2),
          account_id: 'a',
          amount: 1,
        },
      });
      assert.equal(tooLong.statusCode, 400);
      const readTooLong = await app.inject({
        url: `/api/v1/transactions/${'x'.repeat(MAX_ID_LENGTH + 1)}`,
        headers: admin,
      });
      assert.equal(readTooLong.statusCode, 400, 'a path id past the limit is refused, naming the field');
      assert.equal(readTooLong.json().details[0].path, 'id');
      const farTooLong = await app.inject({
        url: `/api/v1/transactions/${'x'.repeat(10_000)}`,
        headers: admin,
      });
      assert.equal(farTooLong.statusCode, 414, 'far past the limit the router refuses it, in the same shape');
      assert.deepEqual(farTooLong.json().details, [
        { path: 'id', message: `must be at most ${MAX_ID_LENGTH} characters` },
      ]);
    } finally {
      await app.close();
    }
  });
}

edgeSuite(
  'embedded',
  async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-edge-')), 'e.db')),
);
edgeSuite('PostgreSQL', openPostgres);
