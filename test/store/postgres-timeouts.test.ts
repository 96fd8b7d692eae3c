/**
 * A slow or hung PostgreSQL against the real server: a table locked by another connection makes requests fail
 * with a 503 within the statement timeout and /health say the database is degraded; a read whose connection is
 * killed under it is tried again and answers.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { postgresTimeoutsFromEnv } from '../../src/store/open-store.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_timeouts_${process.pid}_${Date.now()}`;
const STATEMENT_MS = 300;

function urlFor(application: string): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', application);
  return url.toString();
}

const admin = new pg.Client({ connectionString: urlFor(`${schema}_admin`), connectionTimeoutMillis: 3000 });
let reachable = true;
try {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
} catch (e) {
  reachable = false;
  if (process.env.CI) throw e;
  console.error(`SKIPPED: PostgreSQL at ${base} is unreachable: ${(e as Error).message}`);
}

const store = new PostgresStore(urlFor(`${schema}_fast`), 4, { statementMs: STATEMENT_MS, connectMs: 1000 });
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
const app = buildApp({ service });
let analystKey = '';
let serviceKey = '';

before(async () => {
  if (!reachable) return;
  await store.migrate();
  analystKey = (await createApiKey(store, 'analyst', 'alice')).key;
  serviceKey = (await createApiKey(store, 'service', 'checkout')).key;
});

after(async () => {
  await app.close();
  await store.close();
  if (reachable) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin.end().catch(() => undefined);
});

/** Runs `work` while another connection holds an exclusive lock on the transactions table. */
async function whileLocked<T>(work: () => Promise<T>): Promise<T> {
  const locker = new pg.Client({ connectionString: urlFor(`${schema}_locker`) });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE');
    return await work();
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
}

const tx = {
  transaction_id: 'locked-1',
  timestamp: '2026-03-01T10:00:00Z',
  account_id: 'acct-1',
  amount: 42,
  currency: 'EUR',
  merchant_id: 'shop-1',
};

test(
  'a locked table: reads and writes answer 503 within the statement timeout, /health says degraded',
  {
    skip: !reachable && 'PostgreSQL unreachable',
  },
  async () => {
    // Connections open and the keys looked up (and remembered) beforehand: what is timed is the locked table.
    for (const key of [analystKey, serviceKey])
      await app.inject({ url: '/api/v1/transactions/warm', headers: { 'x-api-key': key } });
    const answers = await whileLocked(async () => {
      const timed = async (request: InjectOptions) => {
        const began = performance.now();
        const res = await app.inject(request);
        return { res, ms: performance.now() - began };
      };
      return Promise.all([
        timed({ url: '/api/v1/transactions/locked-1', headers: { 'x-api-key': analystKey } }),
        timed({
          method: 'POST',
          url: '/api/v1/transactions',
          payload: tx,
          headers: { 'x-api-key': serviceKey },
        }),
      ]);
    });
    for (const { res, ms } of answers) {
      assert.equal(res.statusCode, 503, res.body);
      assert.deepEqual(res.json(), {
        error: 'database_unavailable',
        message: `the database did not answer within ${STATEMENT_MS} ms`,
        details: [],
      });
      assert.equal(res.headers['retry-after'], '1');
      assert.ok(ms >= STATEMENT_MS * 0.8 && ms < STATEMENT_MS + 2500, `answered in ${ms.toFixed(0)} ms`);
    }
    const health = await app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'degraded');
    assert.equal(health.json().components.database.status, 'degraded');
    assert.match(health.json().components.database.reason, /a statement timed out \d+ s ago/);
    assert.equal((await app.inject({ url: '/health/ready' })).json().ready, true, 'reachable, only slow');

    // Nothing was half-written: once the lock is gone the transaction is new, and decided once.
    const lookup = await app.inject({
      url: '/api/v1/transactions/locked-1',
      headers: { 'x-api-key': analystKey },
    });
    assert.equal(lookup.statusCode, 404);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: tx,
      headers: { 'x-api-key': serviceKey },
    });
    assert.equal(created.statusCode, 201, created.body);
  },
);

test(
  'a read whose connection is killed under it is tried again on a fresh one',
  {
    skip: !reachable && 'PostgreSQL unreachable',
  },
  async () => {
    const patient = new PostgresStore(urlFor(`${schema}_retry`), 2, { statementMs: 10_000 });
    try {
      const decided = await service.decide({ ...tx, transaction_id: 'retried-1' });
      assert.equal(decided.kind, 'created');
      const found = await whileLocked(async () => {
        const read = patient.getTransaction('retried-1');
        // The read waits on the lock; its backend is terminated, as a failover or a restart would.
        let killed = 0;
        for (let i = 0; i < 50 && killed === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const r = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [`${schema}_retry`],
          );
          killed = r.rowCount ?? 0;
        }
        assert.equal(killed, 1, 'the waiting read was found and killed');
        return { read };
      });
      // The lock is released now: the second try answers.
      const stored = await found.read;
      assert.equal(stored?.transaction.transaction_id, 'retried-1');
    } finally {
      await patient.close();
    }
  },
);

test('the timeouts come from PG_CONNECT_TIMEOUT_MS and PG_STATEMENT_TIMEOUT_MS', () => {
  assert.deepEqual(postgresTimeoutsFromEnv({}), { connectMs: 5000, statementMs: 5000 });
  assert.deepEqual(
    postgresTimeoutsFromEnv({ PG_CONNECT_TIMEOUT_MS: '800', PG_STATEMENT_TIMEOUT_MS: '1500' }),
    {
      connectMs: 800,
      statementMs: 1500,
    },
  );
  assert.throws(() => postgresTimeoutsFromEnv({ PG_STATEMENT_TIMEOUT_MS: '-1' }), /PG_STATEMENT_TIMEOUT_MS/);
});
