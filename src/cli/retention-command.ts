/**
 * `fraudwatch retention --older-than 90d [--archive FILE.jsonl.gz]`: archive, then delete old transactions.
 * Deleting is for good, so the command says what it will delete first, asks on a terminal (or wants --yes),
 * refuses rows the features still read (younger than the longest window) without --force, and keeps open cases
 * and confirmed fraud unless --include-cases.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { REBUILD_HORIZON_MS } from '../service/state-rebuild.ts';
import { openStore } from '../store/open-store.ts';
import { archiveAndDelete } from '../store/retention.ts';
import { durationMs, formatDuration, positiveInt } from './options.ts';
import { StartupError } from './startup-failure.ts';

interface RetentionOptions {
  olderThan: number;
  archive?: string;
  batch: number;
  dataDir: string;
  force: boolean;
  yes: boolean;
  dryRun: boolean;
  includeCases: boolean;
}

/** The archive can be appended to: the file is writable, or its directory exists and is. */
function checkArchiveWritable(path: string): void {
  const target = existsSync(path) ? path : dirname(resolve(path));
  try {
    if (existsSync(path) && !statSync(path).isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    if (!existsSync(path) && !statSync(target).isDirectory())
      throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(target, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(
      `cannot write the archive ${path} (${code} on ${target}): check --archive (an existing, writable directory)`,
    );
  }
}

async function confirmed(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerRetentionCommand(program: Command): void {
  const command = program
    .command('retention')
    .description(
      'archive (gzip JSON Lines) then delete transactions decided longer ago than --older-than, in batches; says what it will delete and asks first',
    )
    .requiredOption(
      '--older-than <duration>',
      'with a unit: 90d, 12w, 2160h (a bare number, m and months are refused)',
      durationMs('--older-than'),
    )
    .option(
      '--archive <file>',
      'append the deleted rows to this .jsonl.gz first (without it rows are only deleted)',
    )
    .option('--batch <n>', 'rows per batch', positiveInt('--batch'), 1000)
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .option('--dry-run', 'print what would be deleted and stop', false)
    .option('--yes', 'do not ask (needed when not run from a terminal)', false)
    .option(
      '--force',
      `allow --older-than below ${formatDuration(REBUILD_HORIZON_MS)} (rows the features and a restart's rebuild still read)`,
      false,
    )
    .option('--include-cases', 'delete open cases and confirmed fraud too (kept by default)', false);
  command.action(async (opts: RetentionOptions) => {
    if (opts.archive !== undefined && !opts.archive.endsWith('.jsonl.gz')) {
      command.error(`--archive must name a .jsonl.gz file, got "${opts.archive}"`);
    }
    if (opts.olderThan < REBUILD_HORIZON_MS && !opts.force) {
      command.error(
        `--older-than ${formatDuration(opts.olderThan)} is under ${formatDuration(REBUILD_HORIZON_MS)}: rows that recent feed the features of live decisions (the longest window) and the state a restart rebuilds; give --force to delete them anyway`,
      );
    }
    const interactive = process.stdin.isTTY === true;
    if (!opts.dryRun && !opts.yes && !interactive) {
      command.error(
        'not run from a terminal: give --yes to delete without being asked, or --dry-run to look',
      );
    }
    // Before anything is counted or deleted: a run that could not archive would either stop half-way or,
    // worse, delete rows it never kept.
    if (opts.archive !== undefined) checkArchiveWritable(opts.archive);
    const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
    try {
      const cutoff = Date.now() - opts.olderThan;
      const found = await store.countDecidedBefore(cutoff);
      const kept = opts.includeCases ? 0 : found.cases;
      const plan = {
        cutoff: new Date(cutoff).toISOString(),
        to_delete: found.rows - kept,
        cases_kept: kept,
        archive: opts.archive ?? null,
      };
      console.error(
        `will delete ${plan.to_delete} transactions decided before ${plan.cutoff}` +
          (opts.includeCases
            ? `, open cases and confirmed fraud included (${found.cases})`
            : `; keeps ${kept} open cases and confirmed fraud (--include-cases deletes them too)`) +
          (opts.archive
            ? `; archived first to ${opts.archive}`
            : '; no archive (--archive FILE keeps a copy)'),
      );
      if (opts.dryRun) {
        console.log(JSON.stringify({ dry_run: true, ...plan }));
        return;
      }
      if (plan.to_delete === 0) {
        console.log(JSON.stringify({ ...plan, archived: 0, deleted: 0, batches: 0 }));
        return;
      }
      if (!opts.yes && !(await confirmed(`delete ${plan.to_delete} transactions? [y/N] `))) {
        console.error('nothing deleted');
        process.exitCode = 1;
        return;
      }
      const r = await archiveAndDelete(store, cutoff, opts.archive ?? null, opts.batch, !opts.includeCases);
      console.log(JSON.stringify({ ...plan, ...r }));
    } finally {
      await store.close();
    }
  });
}
