import pg from 'pg';
import { after } from 'node:test';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { storeSuite } from './store-suite.ts';

// A real server: PostgreSQL on 127.0.0.1:5432 (CI starts it). Each run gets a schema of its own.
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_test_${process.pid}_${Date.now()}`;

async function open(): Promise<PostgresStore | string> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (e) {
    return `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return new PostgresStore(url.toString(), 4);
}

after(async () => {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // unreachable: nothing was created
  } finally {
    await admin.end().catch(() => undefined);
  }
});

async function raw(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`SET search_path = ${schema}`);
    await client.query(sql);
  } finally {
    await client.end();
  }
}

storeSuite('PostgreSQL', open, () => raw);
