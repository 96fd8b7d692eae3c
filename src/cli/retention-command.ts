/** `fraudwatch retention --older-than 90d [--archive FILE.jsonl.gz]`: archive, then delete old transactions. */
import type { Command } from 'commander';
import { openStore } from '../store/open-store.ts';
import { archiveAndDelete } from '../store/retention.ts';
import { durationMs, positiveInt } from './options.ts';

export function registerRetentionCommand(program: Command): void {
  program
    .command('retention')
    .description(
      'archive (gzip JSON Lines) then delete transactions decided longer ago than --older-than, in batches',
    )
    .requiredOption('--older-than <duration>', 'e.g. 90d', durationMs('--older-than'))
    .option(
      '--archive <file>',
      'append the deleted rows to this .jsonl.gz first (without it rows are only deleted)',
    )
    .option('--batch <n>', 'rows per batch', positiveInt('--batch'), 1000)
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .action(async (opts: { olderThan: number; archive?: string; batch: number; dataDir: string }) => {
      if (opts.archive !== undefined && !opts.archive.endsWith('.jsonl.gz')) {
        program.error(`--archive must name a .jsonl.gz file, got "${opts.archive}"`);
      }
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
      try {
        const cutoff = Date.now() - opts.olderThan;
        const r = await archiveAndDelete(store, cutoff, opts.archive ?? null, opts.batch);
        console.log(JSON.stringify({ cutoff: new Date(cutoff).toISOString(), ...r }));
      } finally {
        await store.close();
      }
    });
}
