import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { storeSuite } from './store-suite.ts';

storeSuite(
  'embedded (SQLite)',
  async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-store-')), 'fraudwatch.db')),
);
