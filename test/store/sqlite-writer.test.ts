/** The embedded store's writer thread: answers after commit, drains on close, never holds a process open. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), 'fraudwatch-writer-')), 'w.db');

function record(i: number): NewDecision {
  const id = `w${i}`;
  return {
    transaction: {
      transaction_id: id,
      timestamp: 1_700_000_000_000 + i,
      account_id: `a${i % 7}`,
      amount: i,
      currency: 'EUR',
    },
    decision: {
      transaction_id: id,
      score: 0.1,
      outcome: 'approve',
      reasons: [],
      rule_score: 0,
      model_score: null,
      model_version: null,
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    },
    payload_hash: `h${i}`,
    decided_at: 1_700_000_000_000 + i,
    features: Float64Array.from({ length: 3 }, (_, k) => i + k),
  };
}

test('a saved batch is readable on the store connection as soon as its promise settles', async () => {
  const store = new SqliteStore(dbPath());
  await store.migrate();
  for (let round = 0; round < 20; round++) {
    const batch = Array.from({ length: 50 }, (_, i) => record(round * 50 + i));
    const results = await store.saveDecisions(batch);
    assert.ok(results.every((r) => r.kind === 'created'));
    const found = await store.findDecisions(batch.map((r) => r.transaction.transaction_id));
    assert.equal(found.size, 50, `round ${round}: every row of the batch is visible`);
  }
  await store.close();
});

test('close waits for batches still in flight; they are all on disk afterwards', async () => {
  const path = dbPath();
  const store = new SqliteStore(path);
  await store.migrate();
  const pending = Array.from({ length: 10 }, (_, b) =>
    store.saveDecisions(Array.from({ length: 200 }, (_, i) => record(b * 200 + i))),
  );
  await store.close();
  const settled = await Promise.allSettled(pending);
  assert.ok(settled.every((s) => s.status === 'fulfilled'));
  const reopened = new SqliteStore(path);
  assert.equal((await reopened.findDecisions(['w0', 'w1999', 'w1000'])).size, 3);
  await reopened.close();
  assert.equal(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0, 0, 'the log was checkpointed');
});

test('a process that never closes its store still exits once its writes are done', () => {
  const script = `
    import { SqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite-store.ts', import.meta.url).href)};
    const store = new SqliteStore(${JSON.stringify(dbPath())});
    await store.migrate();
    const [r] = await store.saveDecisions([${JSON.stringify(record(1))}].map((x) => ({ ...x, features: undefined })));
    console.log(r.kind);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.signal, null, `the process had to be killed: ${run.stderr}`);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'created');
});

test('reviews on the store connection wait for the writer thread instead of failing', async () => {
  const store = new SqliteStore(dbPath());
  await store.migrate();
  await store.saveDecisions(Array.from({ length: 50 }, (_, i) => record(i)));
  let writing = true;
  const writer = (async () => {
    for (let round = 1; writing; round++)
      await store.saveDecisions(Array.from({ length: 300 }, (_, i) => record(round * 1000 + i)));
  })();
  try {
    for (let i = 0; i < 200; i++) {
      const change = await store.setStatus(
        `w${i % 50}`,
        i % 2 ? 'under_review' : 'legitimate',
        'ann',
        null,
        i,
      );
      assert.ok(change, `review ${i}`);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    writing = false;
    await writer;
    await store.close();
  }
});

test("a failed batch rejects with SQLite's code; a writer thread that died is replaced by the next write", async () => {
  const store = new SqliteStore(dbPath());
  await store.migrate();
  const broken = {
    ...record(1),
    transaction: { ...record(1).transaction, account_id: null as unknown as string },
  };
  await assert.rejects(store.saveDecisions([broken]), { code: 'SQLITE_CONSTRAINT_NOTNULL' });
  const thread = (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer;
  await thread.worker.terminate();
  assert.equal(await store.ping(), false, 'unhealthy while the writer is gone');
  const [r] = await store.saveDecisions([record(2)]);
  assert.equal(r!.kind, 'created');
  assert.equal(await store.ping(), true);
  await store.close();
});

test('the connection that commits decisions syncs every commit (synchronous FULL, WAL, checkpoints left to their thread below 100,000 pages); so does the server one', async () => {
  const store = new SqliteStore(dbPath());
  try {
    await store.migrate();
    assert.equal((await store.saveDecisions([record(1)]))[0]!.kind, 'created');
    const { writer, server } = await store.durability();
    // 2 is FULL: the WAL is synced at each commit, so an answered decision survives a power cut (NORMAL is 1).
    assert.deepEqual(writer, { journal_mode: 'wal', synchronous: 2, wal_autocheckpoint: 100000 });
    assert.deepEqual(server, { journal_mode: 'wal', synchronous: 2, wal_autocheckpoint: 100000 });
  } finally {
    await store.close();
  }
});

test('the checkpoint thread copies committed decisions into the database file while no commit is past its threshold', async () => {
  const path = dbPath();
  const store = new SqliteStore(path);
  try {
    await store.migrate();
    const before = statSync(path).size;
    // About 3,000 rows: a few MB of WAL, far below the 100,000 pages at which a commit would checkpoint itself.
    for (let start = 0; start < 3000; start += 500)
      await store.saveDecisions(Array.from({ length: 500 }, (_, k) => record(10_000 + start + k)));
    let after = statSync(path).size;
    for (let i = 0; i < 100 && after < before + 200_000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = statSync(path).size;
    }
    assert.ok(
      after >= before + 200_000,
      `database file ${before} -> ${after} bytes: the WAL was not checkpointed`,
    );
    const wal = new Database(path, { readonly: true });
    try {
      const count = wal.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number };
      assert.equal(count.n, 3000);
    } finally {
      wal.close();
    }
  } finally {
    await store.close();
  }
  assert.equal(
    existsSync(`${path}-wal`),
    false,
    'the last connection to close checkpointed the rest and removed the WAL',
  );
});

test('two stores open on one file (a server and a command) checkpoint side by side without a warning', async () => {
  const path = dbPath();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  const first = new SqliteStore(path);
  await first.migrate();
  const second = new SqliteStore(path);
  try {
    const until = Date.now() + 1500;
    for (let n = 0; Date.now() < until; n += 200) {
      await first.saveDecisions(Array.from({ length: 100 }, (_, k) => record(50_000 + n + k)));
      await second.saveDecisions(Array.from({ length: 100 }, (_, k) => record(50_000 + n + 100 + k)));
    }
  } finally {
    await second.close();
    await first.close();
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

async function untilStoredIdsReady(store: SqliteStore): Promise<void> {
  for (let i = 0; i < 200 && !store.storedIdsReady; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(store.storedIdsReady, 'the stored ids were read');
}

test('the id lookup asks SQLite only about ids the store may hold: stored before a restart, or since', async () => {
  const path = dbPath();
  const first = new SqliteStore(path);
  await first.migrate();
  await first.saveDecisions(Array.from({ length: 12_000 }, (_, i) => record(i))); // more than one page of the read
  await first.close();

  const store = new SqliteStore(path);
  await store.migrate();
  await untilStoredIdsReady(store);
  const before = (await store.findDecisions(['w0', 'w5000', 'w11999', 'nope-1', 'nope-2'])).size;
  assert.equal(before, 3, 'rows stored before the restart are found');
  await store.saveDecisions([record(20_000)]);
  assert.equal((await store.findDecisions(['w20000'])).size, 1, 'a row stored since is found');
  const asked = store.idLookups.asked;
  const unknown = Array.from({ length: 1000 }, (_, i) => `new-${i}`);
  assert.equal((await store.findDecisions(unknown)).size, 0);
  assert.ok(store.idLookups.asked - asked < 50, `new ids asked of SQLite: ${store.idLookups.asked - asked}`);
  await store.close();
});

test('a row another process stored after the filter was read is still caught, by the insert', async () => {
  const path = dbPath();
  const store = new SqliteStore(path);
  await store.migrate();
  await untilStoredIdsReady(store);
  const other = new SqliteStore(path);
  await other.migrate();
  await other.saveDecisions([record(1)]);
  await other.close();
  assert.equal((await store.findDecisions(['w1'])).size, 0, 'the filter has not seen it');
  const [again] = await store.saveDecisions([record(1)]);
  assert.equal(again!.kind, 'duplicate', 'the insert finds it');
  assert.equal((await store.findDecisions(['w1'])).size, 1, 'and the filter learns it');
  await store.close();
});

test("the case sweep's writes wait for another writer on the writer thread, never on the server's thread", async () => {
  const path = dbPath();
  const store = new SqliteStore(path);
  await store.migrate();
  const flagged = record(1);
  flagged.decision = { ...flagged.decision, outcome: 'review', score: 0.9 };
  await store.saveDecisions([flagged]);
  // Another process holds the file's write lock for 300 ms. Were the grouping on this thread, its wait for the
  // lock would sleep this thread, so the timer that releases the lock could not fire.
  const other = new Database(path, { timeout: 5000 });
  other.exec('BEGIN IMMEDIATE');
  const release = setTimeout(() => other.exec('COMMIT'), 300);
  const startedAt = performance.now();
  const grouping = store.cases.groupAlerts(24 * 3_600_000, Date.now(), 100);
  const tickedAfter = await new Promise<number>((resolve) =>
    setTimeout(() => resolve(performance.now()), 10),
  );
  assert.ok(tickedAfter - startedAt < 200, `this thread was held ${Math.round(tickedAfter - startedAt)} ms`);
  const result = await grouping;
  assert.ok(performance.now() - startedAt >= 290, 'the grouping waited for the lock');
  assert.equal(result.grouped, 1);
  assert.equal(result.opened.length, 1);
  assert.equal(result.opened[0]!.account_id, flagged.transaction.account_id);
  clearTimeout(release);
  other.close();
  await store.close();
});
