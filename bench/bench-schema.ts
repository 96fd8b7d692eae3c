/**
 * A PostgreSQL schema of a benchmark's own (TEST_DATABASE_URL, default 127.0.0.1:5432/test), so a run never
 * touches another's tables: `url` points the stores at it through search_path; `drop` removes it with its rows.
 */
import pg from 'pg';

export interface BenchSchema {
  /** The database URL with `search_path` set to this schema. */
  url: string;
  /** Rows in its `transactions` table. */
  countTransactions: () => Promise<number>;
  drop: () => Promise<void>;
}

export async function createBenchSchema(prefix: string): Promise<BenchSchema> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    countTransactions: async () =>
      Number((await admin.query(`SELECT COUNT(*) AS n FROM ${name}.transactions`)).rows[0].n),
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
  };
}
