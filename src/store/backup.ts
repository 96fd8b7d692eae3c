/**
 * Backups a running service can take, and their restore (the runbooks' nightly backup and tested restore).
 *
 * Embedded: one SQLite file. `VACUUM INTO` copies the database inside one read transaction, so the copy is
 * consistent while `serve` keeps writing (WAL mode lets writers go on), then the models directory's files
 * (artifacts, active choices) are added to the copy in a table of their own. Rules versions, settings, keys,
 * audit, decisions: all live in the database. Restore puts the file in place of an empty data dir's database,
 * writes the files back and migrates an older schema.
 *
 * PostgreSQL: `pg_dump --format=custom` (PostgreSQL's own consistent snapshot), restored with `pg_restore`.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

const FILES_TABLE = 'fraudwatch_backup_files';
const INFO_TABLE = 'fraudwatch_backup_info';
/** The data dir's folders whose files a backup carries besides the database. */
const CARRIED_DIRS = ['models'];

export class BackupError extends Error {}

export interface BackupSummary {
  kind: 'embedded' | 'postgres';
  file: string;
  bytes: number;
  created_at: string;
  /** Rows per table in the backup (embedded; PostgreSQL's dump is not opened to count). */
  tables: Record<string, number>;
  /** Files of the data dir carried with the database (embedded). */
  files: string[];
}

export interface RestoreSummary {
  kind: 'embedded' | 'postgres';
  file: string;
  backup_created_at: string | null;
  tables: Record<string, number>;
  files: string[];
}

export const embeddedDatabasePath = (dataDir: string): string => join(dataDir, 'fraudwatch.db');

/** Row counts of the store's own tables (the backup's bookkeeping and SQLite's internals left out). */
export function tableCounts(db: Database.Database): Record<string, number> {
  const names = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'fraudwatch_backup_%' ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    names.map((name) => [name, db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number]),
  );
}

/** The output goes to FILE.partial first and is renamed when complete: a file at `out` is always a whole backup. */
function partialOf(out: string): string {
  return `${out}.partial`;
}

export function backupEmbedded(dataDir: string, out: string, now: Date = new Date()): BackupSummary {
  const source = embeddedDatabasePath(dataDir);
  if (!existsSync(source))
    throw new BackupError(`--data-dir: no embedded store in ${dataDir} (no fraudwatch.db)`);
  if (existsSync(out)) throw new BackupError(`--out: ${out} exists; a backup never overwrites one`);
  const partial = partialOf(out);
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw new BackupError(`--out: cannot write ${out}: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  const copy = new Database(partial);
  const files: string[] = [];
  let tables: Record<string, number>;
  try {
    copy.exec(`CREATE TABLE ${FILES_TABLE} (path TEXT PRIMARY KEY, content BLOB NOT NULL);
               CREATE TABLE ${INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const addFile = copy.prepare(`INSERT INTO ${FILES_TABLE} VALUES (?, ?)`);
    const addInfo = copy.prepare(`INSERT INTO ${INFO_TABLE} VALUES (?, ?)`);
    copy.transaction(() => {
      for (const dir of CARRIED_DIRS) {
        const from = join(dataDir, dir);
        if (!existsSync(from)) continue;
        for (const name of readdirSync(from).sort()) {
          const path = join(from, name);
          if (!statSync(path).isFile()) continue;
          addFile.run(`${dir}/${name}`, readFileSync(path));
          files.push(`${dir}/${name}`);
        }
      }
      addInfo.run('created_at', now.toISOString());
      addInfo.run('source', 'embedded');
    })();
    tables = tableCounts(copy);
  } finally {
    copy.close();
  }
  renameSync(partial, out);
  return {
    kind: 'embedded',
    file: out,
    bytes: statSync(out).size,
    created_at: now.toISOString(),
    tables,
    files,
  };
}

/** The first bytes say what a backup is: an SQLite file or a pg_dump archive. */
export function backupKind(file: string): 'embedded' | 'postgres' | null {
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1').startsWith('SQLite format 3\0')) return 'embedded';
  if (head.toString('latin1', 0, 5) === 'PGDMP') return 'postgres';
  return null;
}

/** Rows that make a store worth keeping: a restore over them needs --force. */
function holdsData(counts: Record<string, number>): boolean {
  return Object.entries(counts).some(([table, n]) => table !== 'schema_migrations' && n > 0);
}

export function restoreEmbedded(file: string, dataDir: string, force: boolean): RestoreSummary {
  if (!existsSync(file)) throw new BackupError(`FILE: ${file} does not exist`);
  if (backupKind(file) !== 'embedded')
    throw new BackupError(`FILE: ${file} is not an embedded fraudwatch backup`);
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  let createdAt: string | null;
  try {
    const hasInfo = backup
      .prepare(
        `SELECT count(*) FROM sqlite_master WHERE name IN ('${FILES_TABLE}', '${INFO_TABLE}', 'transactions')`,
      )
      .pluck()
      .get() as number;
    if (hasInfo !== 3) throw new BackupError(`FILE: ${file} is an SQLite file but not a fraudwatch backup`);
    createdAt =
      (backup.prepare(`SELECT value FROM ${INFO_TABLE} WHERE key = 'created_at'`).pluck().get() as
        string | undefined) ?? null;
  } finally {
    backup.close();
  }
  const target = embeddedDatabasePath(dataDir);
  if (existsSync(target) && !force) {
    const current = new Database(target, { readonly: true, fileMustExist: true });
    let counts: Record<string, number>;
    try {
      counts = tableCounts(current);
    } finally {
      current.close();
    }
    if (holdsData(counts)) {
      const held = Object.entries(counts)
        .filter(([t, n]) => n > 0 && t !== 'schema_migrations')
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      throw new BackupError(
        `--data-dir: ${dataDir} holds a store (${held}); restore replaces it only with --force (stop serve and workers on it first)`,
      );
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const restoring = `${target}.restoring`;
  writeFileSync(restoring, readFileSync(file));
  const copy = new Database(restoring);
  const files: string[] = [];
  let tables: Record<string, number>;
  try {
    for (const row of copy.prepare(`SELECT path, content FROM ${FILES_TABLE} ORDER BY path`).all() as {
      path: string;
      content: Buffer;
    }[]) {
      const [dir, name] = row.path.split('/');
      // Only what a backup writes: a known folder and a plain file name (no path climbing out of the data dir).
      if (
        !CARRIED_DIRS.includes(dir!) ||
        name === undefined ||
        name !== basename(name) ||
        name.startsWith('.')
      )
        continue;
      mkdirSync(join(dataDir, dir!), { recursive: true });
      writeFileSync(join(dataDir, dir!, name), row.content);
      files.push(row.path);
    }
    copy.exec(`DROP TABLE ${FILES_TABLE}; DROP TABLE ${INFO_TABLE}`);
    tables = tableCounts(copy);
  } finally {
    copy.close();
  }
  // The old database's journal belongs to the old file: left beside the new one, SQLite would replay it.
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(restoring, target);
  return { kind: 'embedded', file, backup_created_at: createdAt, tables, files };
}

function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path === '')
    throw new BackupError(
      `${name} is not on PATH: install PostgreSQL's client tools (apt-get install -y postgresql-client) of the server's major version`,
    );
  return path;
}

export function backupPostgres(databaseUrl: string, out: string, now: Date = new Date()): BackupSummary {
  if (existsSync(out)) throw new BackupError(`--out: ${out} exists; a backup never overwrites one`);
  const partial = partialOf(out);
  rmSync(partial, { force: true });
  const run = spawnSync(
    pgTool('pg_dump'),
    ['--format=custom', '--no-owner', `--file=${partial}`, `--dbname=${databaseUrl}`],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) {
    rmSync(partial, { force: true });
    throw new BackupError(`pg_dump failed: ${(run.stderr || run.error?.message || '').trim()}`);
  }
  renameSync(partial, out);
  return {
    kind: 'postgres',
    file: out,
    bytes: statSync(out).size,
    created_at: now.toISOString(),
    tables: {},
    files: [],
  };
}

/**
 * Restores a pg_dump archive into DATABASE_URL. A database that already holds fraudwatch's tables is replaced
 * only with `force` (pg_restore --clean); `holdsTables` says whether it does.
 */
export function restorePostgres(
  file: string,
  databaseUrl: string,
  force: boolean,
  holdsTables: boolean,
): RestoreSummary {
  if (!existsSync(file)) throw new BackupError(`FILE: ${file} does not exist`);
  if (backupKind(file) !== 'postgres')
    throw new BackupError(`FILE: ${file} is not a PostgreSQL backup (pg_dump --format=custom)`);
  if (holdsTables && !force)
    throw new BackupError(
      'DATABASE_URL: the database holds a fraudwatch store; restore replaces it only with --force',
    );
  const args = ['--no-owner', '--exit-on-error', `--dbname=${databaseUrl}`];
  if (holdsTables) args.push('--clean', '--if-exists');
  const run = spawnSync(pgTool('pg_restore'), [...args, file], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new BackupError(`pg_restore failed: ${(run.stderr || run.error?.message || '').trim()}`);
  return { kind: 'postgres', file, backup_created_at: null, tables: {}, files: [] };
}
