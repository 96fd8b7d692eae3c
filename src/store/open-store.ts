/** Opens the store the configuration names: PostgreSQL when a database URL is given, else SQLite in the data dir. */
import { join } from 'node:path';
import { DEFAULT_POSTGRES_TIMEOUTS, PostgresStore, type PostgresTimeouts } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { StoreTimeoutError } from './store-errors.ts';
import type { DecisionStore } from './types.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';

export interface StoreConfig {
  /** postgres://... ; when absent, the embedded store. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database file (default ./data). */
  dataDir: string;
}

/**
 * The store cannot be opened for a reason of the set-up, not of the code: the message is one line naming the
 * problem and the setting to change (DATABASE_URL, --data-dir), and never holds a password.
 */
export class StoreUnavailable extends Error {}

/** PG_CONNECT_TIMEOUT_MS and PG_STATEMENT_TIMEOUT_MS over the defaults; anything but a positive number is an error. */
export function postgresTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresTimeouts {
  const read = (name: string, fallback: number): number => millisecondsFromEnv(env, name, fallback);
  return {
    connectMs: read('PG_CONNECT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.connectMs),
    statementMs: read('PG_STATEMENT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.statementMs),
  };
}

/**
 * DATABASE_URL must name PostgreSQL: the driver would take `mysql://host/db` as a PostgreSQL server on that host
 * and fail later, or worse, talk to the wrong server. Returns where it points (host:port) for messages.
 */
export function checkDatabaseUrl(databaseUrl: string): { address: string; database: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new StoreUnavailable(
      'DATABASE_URL is not a URL: give postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or leave it empty for the embedded store',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new StoreUnavailable(
      `DATABASE_URL must be a postgres:// or postgresql:// URL, got a ${url.protocol}// one: fraudwatch stores in PostgreSQL or, with DATABASE_URL empty, in the embedded store`,
    );
  return {
    address: `${url.hostname || 'localhost'}:${url.port || '5432'}`,
    database: decodeURIComponent(url.pathname.slice(1)) || url.username || 'postgres',
  };
}

/** The SQLSTATE and network codes that mean "this server, database or login is not there", as one line. */
function postgresFailure(error: unknown, target: { address: string; database: string }): string | null {
  const code = (error as { code?: string }).code;
  const at = `PostgreSQL at ${target.address}`;
  if (error instanceof StoreTimeoutError) return `cannot connect to ${at} (timed out): check DATABASE_URL`;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${at} (${code}): check DATABASE_URL`;
    case '3D000':
      return `${at} has no database "${target.database}": create it (createdb ${target.database}) or check DATABASE_URL`;
    case '28P01':
    case '28000':
      return `${at} refused the login (${(error as Error).message}): check the user and password in DATABASE_URL`;
    case '42501':
      return `${at}: permission denied (${(error as Error).message}): the user in DATABASE_URL needs to create tables`;
    default:
      return /timeout|terminated/i.test((error as Error).message ?? '')
        ? `cannot connect to ${at} (${(error as Error).message}): check DATABASE_URL`
        : null;
  }
}

async function openPostgres(databaseUrl: string): Promise<DecisionStore> {
  const target = checkDatabaseUrl(databaseUrl);
  let timeouts: PostgresTimeouts;
  try {
    timeouts = postgresTimeoutsFromEnv();
  } catch (e) {
    throw new StoreUnavailable((e as Error).message, { cause: e });
  }
  const store = new PostgresStore(databaseUrl, 10, timeouts);
  try {
    await store.migrate();
    return store;
  } catch (e) {
    await store.close().catch(() => undefined);
    const message = postgresFailure(e, target);
    throw message === null ? e : new StoreUnavailable(message, { cause: e });
  }
}

function openEmbedded(dataDir: string): DecisionStore {
  const path = join(dataDir, 'fraudwatch.db');
  try {
    return new SqliteStore(path);
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e as Error).message;
    throw new StoreUnavailable(
      `cannot open the embedded database ${path} (${code}): check --data-dir (env FRAUDWATCH_DATA_DIR), or set DATABASE_URL`,
      { cause: e },
    );
  }
}

export async function openStore(config: StoreConfig): Promise<DecisionStore> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const store = openEmbedded(config.dataDir);
  await store.migrate();
  return store;
}
