/**
 * Store write capacity: how many decisions a second each store commits through `saveDecisions`, the call group
 * commit makes, with nothing else running (no HTTP, no scoring, no stream). It bounds every write path: a
 * decision is answered only after its commit, so no benchmark that stores decisions can go faster than this.
 *
 * Rows are real: simulated transactions scored by the engine (default rules, heuristic model) with their feature
 * vectors, prepared before the clock starts. Prints one JSON line per store.
 * Run: npx fraudwatch bench store --json [--store embedded|postgres|both] [--rows N]
 */
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { HeuristicModel } from '../src/engine/heuristic-model.ts';
import { canonicalTransactionJSON } from '../src/engine/transaction.ts';
import { simulate } from '../src/simulator/index.ts';
import { openStore } from '../src/store/open-store.ts';
import { featuresToBytes } from '../src/store/queries.ts';
import type { DecisionStore, NewDecision } from '../src/store/types.ts';
import { createBenchSchema } from './bench-schema.ts';

export interface StoreBenchOptions {
  store: 'embedded' | 'postgres';
  rows: number;
}

/** Batch sizes timed: what a busy batch endpoint or stream worker hands over, and what single requests do. */
const BATCH_SIZES = [1000, 10] as const;

function scoredDecisions(count: number): NewDecision[] {
  const engine = new Engine({ models: [{ model: new HeuristicModel(), weight: 1 }] });
  const records: NewDecision[] = [];
  for (const { tx } of simulate({ accounts: 20_000, days: 30, seed: 7, idPrefix: `sb-${process.pid}-` })) {
    const decision = engine.score(tx);
    records.push({
      transaction: tx,
      decision,
      payload_hash: hash('sha256', canonicalTransactionJSON(tx)),
      decided_at: Date.now(),
      features: engine.features.slice(),
    });
    if (records.length === count) break;
  }
  return records;
}

async function openBenchStore(
  kind: StoreBenchOptions['store'],
): Promise<{ store: DecisionStore; cleanup: () => Promise<void> }> {
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-store-bench-'));
    const store = await openStore({ dataDir: dir });
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = await createBenchSchema('fraudwatch_store_bench');
  const store = await openStore({ databaseUrl: schema.url, dataDir: tmpdir() });
  return { store, cleanup: schema.drop };
}

/** Commits `records` in consecutive batches of `size`, two at once as group commit keeps them; rows a second. */
async function timedWrites(store: DecisionStore, records: NewDecision[], size: number): Promise<number> {
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < records.length; i += size) {
    const write = store.saveDecisions(records.slice(i, i + size));
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
    if (inFlight.size >= 2) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return Math.round(records.length / ((performance.now() - started) / 1000));
}

export async function runStoreBench(options: StoreBenchOptions): Promise<Record<string, unknown>> {
  // Every batch size writes rows of its own: a second write of the same ids would only find duplicates.
  const all = scoredDecisions(options.rows * BATCH_SIZES.length);
  const rowBytes =
    all.slice(0, 1000).reduce((sum, r) => {
      const text = JSON.stringify(r.transaction).length + JSON.stringify(r.decision).length;
      return sum + text + r.payload_hash.length + (featuresToBytes(r.features)?.byteLength ?? 0);
    }, 0) / Math.min(1000, all.length);
  const { store, cleanup } = await openBenchStore(options.store);
  try {
    const figures: Record<string, number> = {};
    for (const [k, size] of BATCH_SIZES.entries()) {
      const records = all.slice(k * options.rows, (k + 1) * options.rows);
      figures[`rows_per_s_batch_${size}`] = await timedWrites(store, records, size);
    }
    return {
      bench: 'store',
      store: options.store,
      rows: options.rows,
      ...figures,
      row_bytes: Math.round(rowBytes),
      node: process.version,
    };
  } finally {
    await store.close();
    await cleanup();
  }
}
