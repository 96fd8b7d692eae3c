/**
 * Start-up failures an operator fixes in the set-up: the real CLI prints exactly one line naming the problem and
 * the setting to change, and exits 2 (no stack trace). PostgreSQL cases use the real server (TEST_DATABASE_URL).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { NATS_URL, openStream, removeStreams, testConfig } from '../stream/stream-fixture.ts';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without a terminal; serve would keep running on success, so a timeout kills it. */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['bin/fraudwatch.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: undefined, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

/** Exit 2 and exactly one stderr line, `fraudwatch: ...`, matching `pattern`. */
function assertOneLineFailure(run: Run, pattern: RegExp): void {
  assert.equal(run.status, 2, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^fraudwatch: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** A port nothing listens on: taken from the OS, then given back. */
async function closedPort(): Promise<number> {
  const { server, port } = await listening();
  server.close();
  await once(server, 'close');
  return port;
}

/** The real PostgreSQL, or a loud skip (a failure in CI). */
async function requirePostgres(t: TestContext): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch (e) {
    const why = `PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(`PostgreSQL is required in CI: ${why}`);
    console.warn(`\n*** start-up test SKIPPED: ${why} ***\n`);
    t.skip(why);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const dataDir = () => mkdtempSync(join(tmpdir(), 'fraudwatch-startup-'));

test('PostgreSQL unreachable: serve and migrate name the address and DATABASE_URL', async () => {
  const port = await closedPort();
  const env = { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/test` };
  const pattern = new RegExp(
    `^fraudwatch: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check DATABASE_URL$`,
  );
  for (const args of [
    ['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dataDir()],
    ['migrate'],
  ]) {
    const run = await cli(args, env);
    assertOneLineFailure(run, pattern);
    assert.doesNotMatch(run.stderr, /secret/, 'the password is not printed');
  }
});

test('a database that does not exist on the real PostgreSQL is named, with how to create it', async (t) => {
  if (!(await requirePostgres(t))) return;
  const url = new URL(TEST_DATABASE_URL);
  const absent = `fraudwatch_absent_${process.pid}`;
  url.pathname = `/${absent}`;
  const run = await cli(['keys', 'list'], { DATABASE_URL: url.toString() });
  assertOneLineFailure(
    run,
    new RegExp(`has no database "${absent}": create it \\(createdb ${absent}\\) or check DATABASE_URL$`),
  );
});

test('a mysql:// DATABASE_URL is refused, not taken for PostgreSQL', async () => {
  for (const args of [
    ['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dataDir()],
    ['audit', 'verify'],
  ]) {
    const run = await cli(args, { DATABASE_URL: 'mysql://root:secret@127.0.0.1:3306/fraud' });
    assertOneLineFailure(
      run,
      /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got a mysql:\/\/ one/,
    );
    assert.doesNotMatch(run.stderr, /secret/);
  }
});

test('an embedded store that cannot be opened names --data-dir', async () => {
  const notADirectory = join(dataDir(), 'file');
  writeFileSync(notADirectory, 'x');
  const run = await cli(['migrate', '--data-dir', join(notADirectory, 'data')]);
  assertOneLineFailure(
    run,
    /cannot open the embedded database .*fraudwatch\.db \(ENOTDIR\): check --data-dir/,
  );
});

test('serve on a port in use names the port and --port, and keeps nothing running', async () => {
  const { server, port } = await listening();
  try {
    const run = await cli(['serve', '--no-models', '--port', String(port), '--data-dir', dataDir()]);
    assertOneLineFailure(
      run,
      new RegExp(
        `^fraudwatch: port ${port} on 127\\.0\\.0\\.1 is in use \\(EADDRINUSE\\): choose another with --port \\(env PORT\\)$`,
      ),
    );
  } finally {
    server.close();
  }
});

test('retention with an archive path that cannot be written stops before anything is deleted', async () => {
  const dir = dataDir();
  const made = await cli(['migrate', '--data-dir', dir]);
  assert.equal(made.status, 0, made.stderr);
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  const run = await cli([
    'retention',
    '--older-than',
    '90d',
    '--archive',
    join(blocker, 'old.jsonl.gz'),
    '--yes',
    '--data-dir',
    dir,
  ]);
  assertOneLineFailure(run, /cannot write the archive .*old\.jsonl\.gz \(ENOTDIR .*\): check --archive/);
  const missingDir = await cli([
    'retention',
    '--older-than',
    '90d',
    '--archive',
    join(dir, 'no-such-dir', 'old.jsonl.gz'),
    '--dry-run',
    '--data-dir',
    dir,
  ]);
  assertOneLineFailure(missingDir, /cannot write the archive .* \(ENOENT .*\): check --archive/);
});

test('an unknown LOG_LEVEL is a start-up error listing the levels', async () => {
  const run = await cli(
    ['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dataDir()],
    {
      LOG_LEVEL: 'loud',
    },
  );
  assertOneLineFailure(
    run,
    /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/,
  );
});

test('a CHALLENGER_TRAFFIC outside 0..1 or a LIVE_METRICS_WINDOW without a unit stops the start in one line', async () => {
  const serve = ['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dataDir()];
  assertOneLineFailure(
    await cli(serve, { CHALLENGER_TRAFFIC: '20%' }),
    /CHALLENGER_TRAFFIC: must be a number from 0 to 1 \(a share of transactions\), got "20%"$/,
  );
  assertOneLineFailure(await cli(serve, { LIVE_METRICS_WINDOW: '30' }), /LIVE_METRICS_WINDOW: needs a unit/);
});

test('a first admin key that cannot be written to its file says how to make another', async () => {
  const dir = dataDir();
  writeFileSync(join(dir, 'admin-key.txt'), 'placed by someone else\n');
  const run = await cli(['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dir]);
  assertOneLineFailure(
    run,
    /cannot write the first admin key to .*admin-key\.txt \(EEXIST: a file is already there\): remove what is in the way, then make a key with `fraudwatch keys create --role admin --name NAME --data-dir /,
  );
});

test('worker: a --port in use and an unreachable NATS are one-line failures naming the setting', async (t) => {
  const config = testConfig(2);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const { server, port } = await listening();
  try {
    const env = {
      NATS_URL,
      FRAUDWATCH_STREAM_PREFIX: config.prefix,
      FRAUDWATCH_PARTITIONS: String(config.partitions),
    };
    const args = ['worker', '--no-models', '--data-dir', dataDir(), '--port', String(port)];
    assertOneLineFailure(
      await cli(args, env),
      new RegExp(
        `^fraudwatch: port ${port} on 127\\.0\\.0\\.1 is in use \\(EADDRINUSE\\): choose another with worker --port$`,
      ),
    );
    const natsPort = await closedPort();
    assertOneLineFailure(
      await cli(args, { ...env, NATS_URL: `nats://127.0.0.1:${natsPort}` }),
      new RegExp(`NATS at nats://127\\.0\\.0\\.1:${natsPort} is unreachable: .*: check NATS_URL$`),
    );
  } finally {
    server.close();
    await removeStreams(stream, config);
  }
});

test('AUTO_PROMOTE, AUTO_PROMOTE_MIN_LABELS and CHALLENGER_TRAFFIC that cannot be read stop the start by name', async () => {
  for (const [name, value, pattern] of [
    ['AUTO_PROMOTE', 'yes', /AUTO_PROMOTE: must be true or false, got "yes"$/],
    ['AUTO_PROMOTE_MIN_LABELS', '-3', /AUTO_PROMOTE_MIN_LABELS: must be a positive whole number, got "-3"$/],
    [
      'CHALLENGER_TRAFFIC',
      '1.5',
      /CHALLENGER_TRAFFIC: must be a number from 0 to 1 \(a share of transactions\), got "1.5"$/,
    ],
  ] as const) {
    const run = await cli(
      ['serve', '--no-models', '--port', String(await closedPort()), '--data-dir', dataDir()],
      {
        [name]: value,
      },
    );
    assertOneLineFailure(run, pattern);
  }
});
