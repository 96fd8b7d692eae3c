/** `fraudwatch audit verify`: checks the audit trail's hash chain; exit 1 naming the first broken entry. */
import type { Command } from 'commander';
import { verifyAuditTrail } from '../store/audit-chain.ts';
import { openStore } from '../store/open-store.ts';

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description(
      'check the hash chain over the audit trail (embedded store, or PostgreSQL with DATABASE_URL): exit 1 naming the first entry that was changed, or follows a deleted one; prints the newest hash to keep elsewhere',
    )
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .action(async (opts: { dataDir: string }) => {
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
      try {
        const result = await verifyAuditTrail(store);
        const before =
          result.unchained > 0 ? `; ${result.unchained} older entries predate the chain (schema 6)` : '';
        if (result.broken !== null) {
          console.error(
            `audit trail broken at entry ${result.broken.id}: it ${result.broken.reason} (${result.chained} entries before it verified)`,
          );
          process.exitCode = 1;
          return;
        }
        console.log(
          `audit trail intact: ${result.chained} chained entries${before}; newest hash ${result.head ?? 'none'}`,
        );
      } finally {
        await store.close();
      }
    });
}
