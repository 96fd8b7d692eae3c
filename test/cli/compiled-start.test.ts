/**
 * The compiled build (`npm run build` → dist/) runs `serve`, the CLI and both worker threads with no TypeScript
 * compiler loaded, and bin/fraudwatch.js never runs a build older than the sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DAY, confirmFrauds, storeSimulatedTraffic } from '../../src/training/stored-simulation.ts';
import { createKey, freePort, startServe } from '../web/serve-process.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FORBID_TSX = fileURLToPath(new URL('./fixtures/forbid-tsx.mjs', import.meta.url));
// the hook fails the process on any import of tsx or esbuild
const compiled: NodeJS.ProcessEnv = { FRAUDWATCH_RUN: 'compiled', NODE_OPTIONS: `--import ${FORBID_TSX}` };

function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/fraudwatch.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: root, encoding: 'utf8' });

test('npm run build: the compiled CLI runs without tsx; the hook does stop the sources', () => {
  assert.equal(build.status, 0, build.stderr + build.stdout);
  const help = cli(['--help'], compiled);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: fraudwatch/);
  const sources = cli(['--help'], { ...compiled, FRAUDWATCH_RUN: 'source' });
  assert.notEqual(sources.status, 0, 'the same hook must fail a run through tsx');
  assert.match(sources.stderr, /forbidden compiler import: tsx/);
});

test('compiled serve decides a transaction (store writer thread) and serves the dashboard', async () => {
  assert.equal(build.status, 0, build.stderr);
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-compiled-serve-'));
  const key = createKey(dataDir, 'service', 'checkout', compiled);
  const served = await startServe(dataDir, await freePort(), compiled);
  try {
    const r = await fetch(`${served.url}/api/v1/transactions`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({
        transaction_id: 'compiled-1',
        timestamp: Date.now(),
        account_id: 'acct-compiled',
        amount: 42,
        currency: 'EUR',
        merchant_id: 'shop-compiled',
      }),
    });
    const body = (await r.json()) as { decision: { outcome: string } };
    assert.equal(r.status, 201, JSON.stringify(body));
    assert.ok(['approve', 'review', 'block_and_review', 'decline'].includes(body.decision.outcome));
    const stored = await fetch(`${served.url}/api/v1/transactions/compiled-1`, {
      headers: { 'x-api-key': key },
    });
    assert.equal(stored.status, 200, 'the decision was committed by the writer thread');
    const page = await fetch(`${served.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  } finally {
    await served.stop();
  }
});

test('compiled train --from-store trains in its worker thread', async () => {
  assert.equal(build.status, 0, build.stderr);
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-compiled-train-'));
  const today = Math.floor(Date.now() / DAY) * DAY;
  const start = today - 12 * DAY;
  const store = new SqliteStore(join(dataDir, 'fraudwatch.db'));
  await store.migrate();
  const frauds = await storeSimulatedTraffic(store, new Engine({ labelDelayMs: 0 }), start, 12, 5);
  await confirmFrauds(store, frauds, start, today - DAY, DAY);
  await store.close();
  const r = cli(['train', '--from-store', '--data-dir', dataDir, '--window', '30d', '--json'], {
    ...compiled,
    RETRAIN_MIN_LABELS: '10',
    TRAIN_LABEL_DELAY: '2d',
  });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}${r.stdout}`);
  const report = JSON.parse(r.stdout) as { status: string; produced: string[] };
  assert.equal(report.status, 'done', r.stdout);
  assert.equal(report.produced.length, 2, 'an isolation forest and a GBDT');
});

test('a build older than the sources never runs: compiled refuses, auto runs the sources and says so', () => {
  assert.equal(build.status, 0, build.stderr);
  const source = join(root, 'src/cli/main.ts');
  const { atime, mtime } = statSync(source);
  utimesSync(source, atime, new Date(Date.now() + 60_000)); // an edit after the build
  try {
    const refused = cli(['--help'], compiled);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /dist\/ is older than the sources; run npm run build/);
    const auto = cli(['--help'], { FRAUDWATCH_RUN: 'auto' });
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stderr, /dist\/ is older than the sources; running the sources/);
    assert.match(auto.stdout, /Usage: fraudwatch/);
  } finally {
    utimesSync(source, atime, mtime);
  }
  assert.equal(cli(['--help'], compiled).status, 0, 'fresh again once the source is as it was built');
});
