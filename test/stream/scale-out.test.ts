/**
 * Two workers on one stream decide as one worker does: partitions keep every transaction of an account with one
 * worker, in order. Real NATS JetStream; rules only, so the comparison is exact.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { FEATURE_NAMES } from '../../src/engine/features/catalog.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { simulate } from '../../src/simulator/index.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionWithFeatures } from '../../src/store/types.ts';
import { StreamWorker } from '../../src/stream/stream-worker.ts';
import { publishTransactions } from '../../src/stream/transaction-producer.ts';
import { openStream, removeStreams, testConfig, waitFor } from './stream-fixture.ts';

/** Account features: everything but the merchant's counts and label rates (held per worker; docs/streaming.md). */
const ACCOUNT_FEATURES = FEATURE_NAMES.map((name, i) => ({ name, i })).filter(
  (f) => !f.name.startsWith('merchant_'),
);

interface Run {
  byId: Map<string, DecisionWithFeatures>;
  decidedPerWorker: number[];
}

async function run(t: TestContext, txs: Transaction[], owners: number[][]): Promise<Run | null> {
  const config = testConfig(4);
  const stream = await openStream(t, config);
  if (stream === null) return null;
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const workers = owners.map(
    (partitions) =>
      new StreamWorker(
        stream.js,
        config,
        new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, new Metrics()),
        { partitions, batchSize: 100 },
      ),
  );
  try {
    for (const w of workers) await w.start();
    await publishTransactions(stream.js, config, txs);
    await waitFor(
      `${txs.length} decided`,
      async () => (await store.findDecisions(txs.map((x) => x.transaction_id))).size === txs.length,
    );
    const rows = await store.recentDecisions(txs.length);
    return {
      byId: new Map(rows.map((r) => [r.transaction.transaction_id, r])),
      decidedPerWorker: workers.map((w) => w.stats.decided),
    };
  } finally {
    for (const w of workers) await w.stop();
    await store.close();
    await removeStreams(stream, config);
  }
}

test('two workers vs one worker on the same input: identical account features and decisions per transaction', async (t) => {
  const txs: Transaction[] = [];
  for (const { tx } of simulate({ accounts: 150, days: 30, seed: 12, idPrefix: 'scale-' })) {
    if (txs.length === 3000) break;
    txs.push(tx);
  }
  const one = await run(t, txs, [[0, 1, 2, 3]]);
  if (one === null) return;
  const two = await run(t, txs, [
    [0, 2],
    [1, 3],
  ]);
  if (two === null) return;
  assert.ok(
    two.decidedPerWorker.every((n) => n > 500),
    `both workers took part: ${two.decidedPerWorker}`,
  );
  let flagged = 0;
  for (const tx of txs) {
    const a: DecisionWithFeatures = one.byId.get(tx.transaction_id)!;
    const b: DecisionWithFeatures = two.byId.get(tx.transaction_id)!;
    assert.equal(b.decision.outcome, a.decision.outcome, tx.transaction_id);
    assert.equal(b.decision.score, a.decision.score, tx.transaction_id);
    for (const f of ACCOUNT_FEATURES)
      assert.equal(b.features![f.i], a.features![f.i], `${tx.transaction_id} ${f.name}`);
    if (a.decision.outcome !== 'approve') flagged++;
  }
  assert.ok(flagged > 0, 'the comparison covers flagged decisions too');
});
