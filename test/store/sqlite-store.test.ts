import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { storeSuite } from './store-suite.ts';

const path = join(mkdtempSync(join(tmpdir(), 'fraudwatch-store-')), 'fraudwatch.db');

storeSuite(
  'embedded (SQLite)',
  async () => new SqliteStore(path),
  () => async (sql) => {
    const db = new Database(path);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  },
);
