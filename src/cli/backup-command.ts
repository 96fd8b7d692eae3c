/**
 * `fraudwatch backup --out FILE` (while serve runs) and `fraudwatch restore FILE`: the embedded store with its
 * model artifacts as one SQLite file, or PostgreSQL through pg_dump / pg_restore when DATABASE_URL is set.
 * Restore refuses to replace a store that holds data without --force, then migrates an older schema.
 */
import type { Command } from 'commander';
import pg from 'pg';
import {
  backupEmbedded,
  backupKind,
  backupPostgres,
  BackupError,
  restoreEmbedded,
  restorePostgres,
  type BackupSummary,
  type RestoreSummary,
} from '../store/backup.ts';
import { MASTER_KEY_FILE } from '../webhooks/webhook-secrets.ts';
import { openStore } from '../store/open-store.ts';
import { StartupError } from './startup-failure.ts';

function print(summary: BackupSummary | RestoreSummary, json: boolean, line: string): void {
  if (json) console.log(JSON.stringify(summary));
  else console.log(line);
}

const rows = (tables: Record<string, number>): string =>
  Object.entries(tables)
    .filter(([t]) => t !== 'schema_migrations')
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');

/** Does the database already hold fraudwatch's tables, with rows in them? */
async function postgresHoldsStore(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const found = await client.query<{ t: string | null }>(`SELECT to_regclass('transactions')::text AS t`);
    return found.rows[0]?.t !== null;
  } catch (e) {
    throw new StartupError(`DATABASE_URL: cannot connect: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A refusal or a failed tool is one line naming what to change, exit code 1; nothing half-written stays. */
function refused(e: unknown): never {
  if (e instanceof BackupError) {
    console.error(`fraudwatch: ${e.message}`);
    process.exit(1);
  }
  throw e;
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent backup while serve runs: the embedded store with its model artifacts as one SQLite file, or PostgreSQL (DATABASE_URL) with pg_dump --format=custom; never overwrites a file',
    )
    .requiredOption('--out <file>', 'where to write it (it must not exist)')
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .option('--json', 'print the summary as one JSON line', false)
    .action((opts: { out: string; dataDir: string; json: boolean }) => {
      try {
        const url = process.env.DATABASE_URL;
        const summary = url ? backupPostgres(url, opts.out) : backupEmbedded(opts.dataDir, opts.out);
        print(
          summary,
          opts.json,
          summary.kind === 'embedded'
            ? `backup written to ${summary.file} (${summary.bytes} bytes): ${rows(summary.tables)}; ${summary.files.length} model files; not in it, on purpose: the webhook master key (${MASTER_KEY_FILE} or FRAUDWATCH_WEBHOOK_KEY): keep it apart (docs/runbooks/backup-and-recovery.md)`
            : `backup written to ${summary.file} (${summary.bytes} bytes, pg_dump custom format); not in it, on purpose: the webhook master key (FRAUDWATCH_WEBHOOK_KEY): keep it apart (docs/runbooks/backup-and-recovery.md)`,
        );
      } catch (e) {
        refused(e);
      }
    });

  program
    .command('restore <file>')
    .description(
      'restore a backup: an embedded one into --data-dir, a pg_dump one into DATABASE_URL; refuses a store that holds data without --force (stop serve and workers on it first), then migrates an older schema',
    )
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .option('--force', 'replace a store that holds data', false)
    .option('--json', 'print the summary as one JSON line', false)
    .action(async (file: string, opts: { dataDir: string; force: boolean; json: boolean }) => {
      let summary: RestoreSummary;
      const url = process.env.DATABASE_URL;
      try {
        const kind = backupKind(file);
        if (kind === null)
          throw new BackupError(
            `FILE: ${file} is not a fraudwatch backup (neither an embedded one, SQLite, nor a pg_dump custom archive)`,
          );
        if (kind === 'postgres' && !url)
          throw new BackupError(`FILE: ${file} is a PostgreSQL backup: set DATABASE_URL to restore it`);
        if (kind === 'embedded' && url)
          throw new BackupError(
            `FILE: ${file} is an embedded backup: unset DATABASE_URL and give --data-dir`,
          );
        summary =
          kind === 'postgres'
            ? restorePostgres(file, url!, opts.force, await postgresHoldsStore(url!))
            : restoreEmbedded(file, opts.dataDir, opts.force);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          refused(new BackupError(`FILE: ${file} does not exist`));
        refused(e);
      }
      // An older release's backup comes up at its schema: bring it to this release's.
      const store = await openStore({ databaseUrl: url, dataDir: opts.dataDir });
      const version = await store.migrate();
      await store.close();
      print(
        { ...summary, schema_version: version } as RestoreSummary,
        opts.json,
        summary.kind === 'embedded'
          ? `restored ${file} into ${opts.dataDir}: ${rows(summary.tables)}; ${summary.files.length} model files; schema version ${version}`
          : `restored ${file} into DATABASE_URL; schema version ${version}`,
      );
    });
}
