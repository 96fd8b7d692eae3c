/**
 * A built-in traffic source for demos: simulated transactions sent through the DecisionService at a steady
 * rate, stamped with the current time, so a newcomer sees decisions (and a review queue) within a minute.
 */
import { transactionToJSON } from '../engine/transaction.ts';
import { simulate } from '../simulator/index.ts';
import type { DecisionService } from './decision-service.ts';

const TICK_MS = 100;

export function startSimulatedTraffic(service: DecisionService, perSecond: number, seed = 11): () => void {
  const source = simulate({ accounts: 5000, days: 3650, seed, idPrefix: `sim-${Date.now().toString(36)}-` });
  let carry = 0;
  const timer = setInterval(() => {
    carry += (perSecond * TICK_MS) / 1000;
    for (; carry >= 1; carry--) {
      const next = source.next();
      if (next.done) return;
      const tx = { ...next.value.tx, timestamp: Date.now() };
      void service.decide(transactionToJSON(tx)).catch(() => undefined);
    }
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
