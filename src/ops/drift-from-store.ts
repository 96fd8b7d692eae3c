/**
 * Drift measured after the fact from what the store kept: the feature vectors of the decisions made in the last
 * window, scored again by each model in force (a model is a pure function of the vector, so this is the score it
 * gave then), against the profile in the model's artifact. What `fraudwatch drift` prints.
 */
import { FEATURE_COUNT, FEATURE_NAMES } from '../engine/features/catalog.ts';
import type { ScoringModel } from '../engine/model.ts';
import type { DriftProfile } from '../models/drift-profile.ts';
import type { DecisionStore, RecentCursor } from '../store/types.ts';
import { DriftMonitor, type DriftReport } from './drift-monitor.ts';

export interface ProfiledModel extends ScoringModel {
  readonly version: string;
  readonly driftProfile?: DriftProfile;
}

export interface StoreDriftReport {
  window_ms: number;
  /** Decisions in the window whose stored vector has today's catalog's length (older rows are skipped). */
  decisions: number;
  models: DriftReport[];
  /** Versions whose artifact has no profile (trained before profiles were kept): retrain to measure them. */
  without_profile: string[];
}

const PAGE = 1000;

export async function driftFromStore(
  store: DecisionStore,
  models: readonly ProfiledModel[],
  now: number,
  windowMs: number,
): Promise<StoreDriftReport> {
  const profiled = models.filter((m) => m.driftProfile !== undefined);
  const columnOf = (name: string): number => FEATURE_NAMES.indexOf(name);
  const monitors = profiled.map((m) => new DriftMonitor(m.version, m.driftProfile!, columnOf, windowMs));
  const from = now - windowMs;
  let decisions = 0;
  let after: RecentCursor | undefined;
  for (;;) {
    const page = await store.recentDecisions(PAGE, after);
    let older = false;
    for (const row of page) {
      if (row.decided_at < from) {
        older = true;
        break;
      }
      if (row.decided_at > now || row.features === null || row.features.length !== FEATURE_COUNT) continue;
      decisions++;
      for (let i = 0; i < monitors.length; i++) {
        monitors[i]!.observe(row.features, profiled[i]!.predict(row.features), row.decided_at);
      }
    }
    if (older || page.length < PAGE) break;
    const last = page[page.length - 1]!;
    after = { decided_at: last.decided_at, transaction_id: last.transaction.transaction_id };
  }
  return {
    window_ms: windowMs,
    decisions,
    models: monitors.map((m) => m.report(now)),
    without_profile: models.filter((m) => m.driftProfile === undefined).map((m) => m.version),
  };
}
