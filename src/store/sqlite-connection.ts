/** How every connection to the embedded database is opened: the same journal, durability and cache settings. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** WAL pages after which a committing connection checkpoints the WAL itself (SQLite's default is 1,000). */
export const INLINE_CHECKPOINT_PAGES = 10_000;
/**
 * The same, for connections of a store whose checkpoints run on a thread of their own
 * (sqlite-checkpoint-thread.ts): only a WAL far longer than that thread lets grow (it died, or the disk cannot
 * keep up) is checkpointed by a committing connection.
 */
export const FALLBACK_CHECKPOINT_PAGES = 100_000;

export interface SqliteOpenOptions {
  /** Another thread checkpoints the WAL: a commit here does so only past FALLBACK_CHECKPOINT_PAGES. */
  checkpointsElsewhere?: boolean;
}

/** `path` is a file, or ':memory:' for tests. */
export function openSqlite(path: string, options: SqliteOpenOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Two connections share a file (the store's and its writer thread's); a writer that finds the other one
  // committing waits for it (up to 5 s) instead of failing.
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk (WAL synced) before it returns, so a decision answered survives a power cut.
  // NORMAL syncs only at checkpoints: an answered 201 could be lost (BENCHMARKS.md, "Store": what it costs).
  db.pragma('synchronous = FULL');
  // Every request looks its id up: with SQLite's default 2 MB page cache those reads go through the OS once
  // the table outgrows it (a profile showed them at 8 % of the server); 64 MB of cache and memory-mapped reads
  // keep the hot pages in the process.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  // A checkpoint every 10,000 WAL pages (40 MB) instead of SQLite's 1,000: the index pages that every insert
  // touches are copied back once per checkpoint, not ten times, and the database file is synced a tenth as
  // often. `bench store`: +17 % rows/s in batches of 1,000, +24 % in batches of 10 (BENCHMARKS.md). A server's
  // store checkpoints on a thread of its own instead: inline, each one held that commit, and every decision
  // waiting on it, 15-23 ms about once a second at 5,000 req/s.
  const pages = options.checkpointsElsewhere === true ? FALLBACK_CHECKPOINT_PAGES : INLINE_CHECKPOINT_PAGES;
  db.pragma(`wal_autocheckpoint = ${pages}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/** The durability settings a connection runs with, as SQLite reports them (synchronous: 2 is FULL). */
export interface SqliteDurability {
  journal_mode: string;
  synchronous: number;
  /** WAL pages between automatic checkpoints. */
  wal_autocheckpoint: number;
}

export function durabilityOf(db: Database.Database): SqliteDurability {
  return {
    journal_mode: db.pragma('journal_mode', { simple: true }) as string,
    synchronous: db.pragma('synchronous', { simple: true }) as number,
    wal_autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }) as number,
  };
}
