/** Simulated traffic scored by an engine and stored as serve stores it (decided at transaction time), then verdicts. */
import type { Engine } from '../../src/engine/engine.ts';
import { simulate } from '../../src/simulator/simulate.ts';
import type { DecisionStore, NewDecision } from '../../src/store/types.ts';

export const DAY = 86_400_000;

/**
 * Scores and stores `days` simulated days from `start` (600 accounts, 2% fraud); returns the frauds' ids and
 * when each was decided. Ids are prefixed by the seed, so several calls do not collide.
 */
export async function storeSimulatedTraffic(
  store: DecisionStore,
  engine: Engine,
  start: number,
  days: number,
  seed: number,
): Promise<Map<string, number>> {
  const frauds = new Map<string, number>();
  let batch: NewDecision[] = [];
  for (const row of simulate({ accounts: 600, days, seed, start, fraudRate: 0.02 })) {
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
