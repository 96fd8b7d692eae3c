/**
 * Crash safety with real parts: a `fraudwatch worker` process on PostgreSQL, killed with SIGKILL in the middle of
 * a run and started again. Every published transaction must end with exactly one stored decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Transaction } from '../../src/engine/transaction.ts';
import { simulate } from '../../src/simulator/index.ts';
import { streamNames } from '../../src/stream/stream-config.ts';
import { publishTransactions } from '../../src/stream/transaction-producer.ts';
import { openStream, readStream, removeStreams, testConfig, waitFor } from './stream-fixture.ts';

const BIN = fileURLToPath(new URL('../../bin/fraudwatch.js', import.meta.url));
const BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--no-models', '--port', '0', '--ack-wait', '2s', '--batch', '200'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

test('kill -9 in the middle of a run, start again: every transaction ends with exactly one stored decision', async (t) => {
  const config = testConfig(4);
  const stream = await openStream(t, config, 2000);
  if (stream === null) return;
  const schema = `fraudwatch_crash_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: BASE, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    await removeStreams(stream, config);
    const why = `PostgreSQL at ${BASE} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(`required in CI: ${why}`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(BASE);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env = {
    DATABASE_URL: url.toString(),
    NATS_URL: config.url,
    FRAUDWATCH_STREAM_PREFIX: config.prefix,
    FRAUDWATCH_PARTITIONS: String(config.partitions),
    LOG_LEVEL: 'silent',
  };
  const count = async () =>
    Number((await admin.query(`SELECT COUNT(*) AS n FROM ${schema}.transactions`)).rows[0].n);
  let worker = startWorker(env);
  try {
    await waitFor('the worker to start', () => worker.output().includes('fraudwatch worker'), 60_000);
    const txs: Transaction[] = [];
    for (const { tx } of simulate({ accounts: 300, days: 30, seed: 9, idPrefix: 'crash-' })) {
      if (txs.length === 6000) break;
      txs.push(tx);
    }
    const publishing = publishTransactions(stream.js, config, txs, { rate: 3000 });
    await waitFor('some decisions stored', async () => (await count()) > 500, 30_000);
    worker.child.kill('SIGKILL');
    await new Promise((resolve) => worker.child.once('exit', resolve));
    const atCrash = await count();
    assert.ok(atCrash < 6000, `the crash came mid-run (${atCrash} stored)`);
    await publishing;
    worker = startWorker(env);
    await waitFor('all 6000 stored after the restart', async () => (await count()) === 6000, 90_000);
    const { rows } = await admin.query(`SELECT transaction_id FROM ${schema}.transactions`);
    assert.deepEqual(
      rows.map((r) => r.transaction_id as string).sort(),
      txs.map((tx) => tx.transaction_id).sort(),
      'the same id set, each once',
    );
    const names = streamNames(config);
    await waitFor(
      '6000 decisions published',
      async () => (await stream.jsm.streams.info(names.decisions)).state.messages >= 6000,
      30_000,
    );
    const published = new Set(
      (await readStream(stream, names.decisions)).map((b) => JSON.parse(b).transaction_id),
    );
    assert.equal(
      published.size,
      6000,
      'every decision published (a re-publish after the crash is deduplicated)',
    );
  } finally {
    worker.child.kill('SIGTERM');
    await new Promise((resolve) =>
      worker.child.exitCode !== null ? resolve(null) : worker.child.once('exit', resolve),
    );
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    await removeStreams(stream, config);
  }
});

test('SIGTERM: the worker stops pulling, settles everything it received, exits cleanly; a restart finishes the run', async (t) => {
  const config = testConfig(2);
  const stream = await openStream(t, config, 2000);
  if (stream === null) return;
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-sigterm-'));
  const env = {
    DATABASE_URL: '',
    FRAUDWATCH_DATA_DIR: dir,
    NATS_URL: config.url,
    FRAUDWATCH_STREAM_PREFIX: config.prefix,
    FRAUDWATCH_PARTITIONS: String(config.partitions),
  };
  let worker = startWorker(env);
  try {
    await waitFor('the worker to start', () => worker.output().includes('fraudwatch worker'), 60_000);
    const txs: Transaction[] = [];
    for (const { tx } of simulate({ accounts: 400, days: 30, seed: 4, idPrefix: 'term-' })) {
      if (txs.length === 4000) break;
      txs.push(tx);
    }
    assert.equal(txs.length, 4000);
    // 4 s of publishing: the stop (settling up to a batch per partition) must come well before the run ends
    const publishing = publishTransactions(stream.js, config, txs, { rate: 1000 });
    const db = join(dir, 'fraudwatch.db');
    const stored = () => {
      const handle = new Database(db, { readonly: true });
      try {
        return (handle.prepare('SELECT COUNT(*) AS n FROM transactions').get() as { n: number }).n;
      } finally {
        handle.close();
      }
    };
    // Let it decide part of the run, then ask it to stop while messages are still arriving.
    await waitFor('some decisions stored', () => stored() > 200, 30_000);
    worker.child.kill('SIGTERM');
    const code = await new Promise((resolve) => worker.child.once('exit', resolve));
    assert.equal(code, 0, worker.output());
    const stopped = /stopped: (\{.*\})/.exec(worker.output());
    assert.ok(stopped, worker.output());
    const stats = JSON.parse(stopped[1]!) as Record<string, number>;
    assert.equal(
      stats.received,
      stats.decided! + stats.duplicates! + stats.deadLettered! + stats.retried!,
      'every received message settled',
    );
    assert.ok(stats.decided! > 0 && stats.decided! < 4000, `stopped mid-run after ${stats.decided}`);
    await publishing;

    worker = startWorker(env);
    await waitFor('the worker to start again', () => worker.output().includes('fraudwatch worker'), 60_000);
    await waitFor('all 4000 stored once', () => stored() === 4000, 30_000);
  } finally {
    if (worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await new Promise((resolve) => worker.child.once('exit', resolve));
    }
    await removeStreams(stream, config);
  }
});
