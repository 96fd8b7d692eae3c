/**
 * How long a restarted process takes to rebuild its account and merchant state from the store
 * (src/service/state-rebuild.ts). Fills a fresh store with N decided transactions spread over the last 30 days
 * (simulated traffic scored by the engine, with feature vectors, so rows are their real size), closes it, opens
 * it again as a restart would, and times the rebuild. `max_turn_ms` is the longest the event loop waited during
 * it: what a request arriving meanwhile could wait at most. Prints one JSON line.
 * Run: npx fraudwatch bench rebuild --json [--rows N] [--store embedded|postgres]
 */
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { canonicalTransactionJSON } from '../src/engine/transaction.ts';
import { StateRebuild } from '../src/service/state-rebuild.ts';
import { simulate } from '../src/simulator/index.ts';
import { openStore } from '../src/store/open-store.ts';
import type { DecisionStore, NewDecision } from '../src/store/types.ts';
import { createBenchSchema } from './bench-schema.ts';

export interface RebuildBenchOptions {
  store: 'embedded' | 'postgres';
  rows: number;
}

const DAY_MS = 86_400_000;
const FILL_BATCH = 5000;

/** Where the store lives: a temporary directory, or a schema of its own on PostgreSQL. */
async function benchStoreLocation(
  kind: RebuildBenchOptions['store'],
): Promise<{ open: () => Promise<DecisionStore>; cleanup: () => Promise<void> }> {
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-rebuild-bench-'));
    return {
      open: () => openStore({ dataDir: dir }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = await createBenchSchema('fraudwatch_rebuild_bench');
  return { open: () => openStore({ databaseUrl: schema.url, dataDir: tmpdir() }), cleanup: schema.drop };
}

/** Writes `rows` decisions, decided evenly over the 30 days before `now`. */
async function fill(store: DecisionStore, rows: number, now: number): Promise<number> {
  const engine = new Engine();
  const step = (30 * DAY_MS) / rows;
  let batch: NewDecision[] = [];
  let written = 0;
  const simulation = simulate({
    accounts: 100_000,
    days: 60,
    seed: 11,
    start: now - 30 * DAY_MS,
    idPrefix: 'rb-',
  });
  for (const { tx } of simulation) {
    const decision = engine.score(tx);
    batch.push({
      transaction: tx,
      decision,
      payload_hash: hash('sha256', canonicalTransactionJSON(tx)),
      decided_at: Math.floor(now - 30 * DAY_MS + written * step),
      features: engine.features.slice(),
    });
    written++;
    if (batch.length === FILL_BATCH || written === rows) {
      await store.saveDecisions(batch);
      batch = [];
    }
    if (written === rows) break;
  }
  return written;
}

export async function runRebuildBench(options: RebuildBenchOptions): Promise<Record<string, unknown>> {
  const location = await benchStoreLocation(options.store);
  const now = Date.now();
  try {
    const filling = await location.open();
    const fillStarted = performance.now();
    const rows = await fill(filling, options.rows, now);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    await filling.close();

    const store = await location.open();
    const engine = new Engine({ labelDelayMs: 0 });
    let maxTurnMs = 0;
    let last = performance.now();
    const watch = setInterval(() => {
      const t = performance.now();
      maxTurnMs = Math.max(maxTurnMs, t - last);
      last = t;
    }, 1);
    const rebuild = new StateRebuild(engine, store, { now: () => now + 1 });
    await rebuild.finishedPromise;
    clearInterval(watch);
    const progress = rebuild.progress;
    await store.close();
    if (progress.state !== 'done') throw new Error(`rebuild failed: ${progress.error}`);
    const stats = engine.featureStore.stats();
    return {
      bench: 'rebuild',
      store: options.store,
      rows,
      rebuilt: progress.transactions,
      seconds: Number(progress.seconds.toFixed(2)),
      rows_per_s: Math.round(progress.transactions / progress.seconds),
      max_turn_ms: Number(maxTurnMs.toFixed(1)),
      accounts: stats.accounts,
      merchants: stats.merchants,
      // What the engine holds once rebuilt (its own estimate: live account blocks and merchant windows).
      state_mb: Math.round((stats.account_bytes + stats.merchant_bytes) / 1e6),
      fill_seconds: Number(fillSeconds.toFixed(1)),
      node: process.version,
    };
  } finally {
    await location.cleanup();
  }
}
