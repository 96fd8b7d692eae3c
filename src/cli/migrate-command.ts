/** `fraudwatch migrate`: applies pending schema migrations (serve does it too at start) and prints the version. */
import type { Command } from 'commander';
import { openStore } from '../store/open-store.ts';
import { LATEST_SCHEMA } from '../store/migrations.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (embedded store, or PostgreSQL with DATABASE_URL)')
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .action(async (opts: { dataDir: string }) => {
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
      await store.close();
      console.log(`${store.kind} store at schema version ${LATEST_SCHEMA}`);
    });
}
