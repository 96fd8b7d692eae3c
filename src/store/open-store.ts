/** Opens the store the configuration names: PostgreSQL when a database URL is given, else SQLite in the data dir. */
import { join } from 'node:path';
import { DEFAULT_POSTGRES_TIMEOUTS, PostgresStore, type PostgresTimeouts } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { DecisionStore } from './types.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';

export interface StoreConfig {
  /** postgres://... ; when absent, the embedded store. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database file (default ./data). */
  dataDir: string;
}

/** PG_CONNECT_TIMEOUT_MS and PG_STATEMENT_TIMEOUT_MS over the defaults; anything but a positive number is an error. */
export function postgresTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresTimeouts {
  const read = (name: string, fallback: number): number => millisecondsFromEnv(env, name, fallback);
  return {
    connectMs: read('PG_CONNECT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.connectMs),
    statementMs: read('PG_STATEMENT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.statementMs),
  };
}

export async function openStore(config: StoreConfig): Promise<DecisionStore> {
  const store: DecisionStore = config.databaseUrl
    ? new PostgresStore(config.databaseUrl, 10, postgresTimeoutsFromEnv())
    : new SqliteStore(join(config.dataDir, 'fraudwatch.db'));
  await store.migrate();
  return store;
}
