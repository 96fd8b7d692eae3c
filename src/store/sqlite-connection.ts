/** How every connection to the embedded database is opened: the same journal, durability and cache settings. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** `path` is a file, or ':memory:' for tests. */
export function openSqlite(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Two connections share a file (the store's and its writer thread's); a writer that finds the other one
  // committing waits for it (up to 5 s) instead of failing.
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Every request looks its id up: with SQLite's default 2 MB page cache those reads go through the OS once
  // the table outgrows it (a profile showed them at 8 % of the server); 64 MB of cache and memory-mapped reads
  // keep the hot pages in the process.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  db.pragma('foreign_keys = ON');
  return db;
}
