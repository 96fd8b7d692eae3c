/**
 * A store filled as a running service would have filled it, for the tests and the benchmark of training from
 * the store: simulated traffic scored by an engine and stored decided at transaction time, then verdicts.
 */
import type { Engine } from '../engine/engine.ts';
import { simulate } from '../simulator/simulate.ts';
import type { DecisionStore, NewDecision } from '../store/types.ts';

export const DAY = 86_400_000;

/**
 * Scores and stores `days` simulated days from `start` (600 accounts and 2% fraud unless told); returns the
 * frauds' ids and when each was decided. Ids are prefixed by the seed, so several calls do not collide.
 */
export async function storeSimulatedTraffic(
  store: DecisionStore,
  engine: Engine,
  start: number,
  days: number,
  seed: number,
  population: { accounts: number; fraudRate: number } = { accounts: 600, fraudRate: 0.02 },
): Promise<Map<string, number>> {
  const frauds = new Map<string, number>();
  let batch: NewDecision[] = [];
  for (const row of simulate({ ...population, days, seed, start })) {
    const tx = { ...row.tx, transaction_id: `${seed}-${row.tx.transaction_id}` };
    const decision = engine.score(tx);
    batch.push({
      transaction: tx,
      decision,
      payload_hash: tx.transaction_id,
      decided_at: tx.timestamp,
      features: engine.features.slice(),
    });
    if (row.label) frauds.set(tx.transaction_id, tx.timestamp);
    if (batch.length === 1000) {
      await store.saveDecisions(batch);
      batch = [];
    }
  }
  await store.saveDecisions(batch);
  return frauds;
}

/** Analysts confirm each fraud decided in [from, to), `lagMs` after its decision; returns how many. */
export async function confirmFrauds(
  store: DecisionStore,
  frauds: Map<string, number>,
  from: number,
  to: number,
  lagMs: number,
): Promise<number> {
  let n = 0;
  for (const [id, at] of frauds)
    if (at >= from && at < to) {
      await store.setStatus(id, 'confirmed_fraud', 'ana', null, at + lagMs);
      n++;
    }
  return n;
}
