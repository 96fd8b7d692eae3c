/** Opens the store the configuration names: PostgreSQL when a database URL is given, else SQLite in the data dir. */
import { join } from 'node:path';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { DecisionStore } from './types.ts';

export interface StoreConfig {
  /** postgres://... ; when absent, the embedded store. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database file (default ./data). */
  dataDir: string;
}

export async function openStore(config: StoreConfig): Promise<DecisionStore> {
  const store: DecisionStore = config.databaseUrl
    ? new PostgresStore(config.databaseUrl)
    : new SqliteStore(join(config.dataDir, 'fraudwatch.db'));
  await store.migrate();
  return store;
}
