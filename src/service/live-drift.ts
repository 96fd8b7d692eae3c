/**
 * Drift of the live traffic of one process against the training data of its models in force: a DriftMonitor
 * per model that has a profile, fed by every decision; a model put in force starts with an empty window. The
 * score a model gave is read off the decision (no model runs twice): an anomaly model's is the vector's anomaly
 * score, any other's the decision's model score (exactly the combiner's own; a weighted blend without a combiner).
 */
import { F, FEATURE_NAMES } from '../engine/features/catalog.ts';
import type { Decision } from '../engine/decision.ts';
import type { Engine } from '../engine/engine.ts';
import type { ModelSlot } from '../engine/model.ts';
import type { DriftProfile } from '../models/drift-profile.ts';
import { DEFAULT_DRIFT_WINDOW_MS, DriftMonitor, type DriftReport } from '../ops/drift-monitor.ts';

/** The runbooks' drift alert: above this score PSI, /health reports the model degraded. */
export const SCORE_PSI_ALERT = 0.1;

interface Watched {
  monitor: DriftMonitor;
  anomaly: boolean;
}

const columnOf = (name: string): number => FEATURE_NAMES.indexOf(name);

export class LiveDrift {
  private slots: readonly ModelSlot[] | null = null;
  private watched: Watched[] = [];

  constructor(
    private readonly engine: Engine,
    readonly windowMs = DEFAULT_DRIFT_WINDOW_MS,
  ) {}

  /** Counts one decision: the engine's vector it was made on, the decision, when (epoch ms). */
  observe(features: Float64Array, decision: Decision, at: number): void {
    if (this.engine.modelSlots !== this.slots) this.watch();
    const watched = this.watched;
    for (let i = 0; i < watched.length; i++) {
      const w = watched[i]!;
      const score = w.anomaly ? features[F.anomalyScore]! : (decision.model_score ?? NaN);
      w.monitor.observe(features, score, at);
    }
  }

  /** Each watched model's indexes over the window as of `now`. */
  reports(now: number): DriftReport[] {
    if (this.engine.modelSlots !== this.slots) this.watch();
    return this.watched.map((w) => w.monitor.report(now));
  }

  /** The largest score PSI of the models in force (0 before anything is seen or without profiles). */
  worstScorePsi(now: number): number {
    return this.reports(now).reduce((worst, r) => Math.max(worst, r.score_psi), 0);
  }

  /** Watches the models now in force; one that stays (the forest when the GBDT changes) keeps its counts. */
  private watch(): void {
    this.slots = this.engine.modelSlots;
    const before = new Map(this.watched.map((w) => [w.monitor.modelVersion, w]));
    this.watched = [];
    for (const slot of this.slots) {
      const model = slot.model as (ModelSlot['model'] & { driftProfile?: DriftProfile }) | null;
      if (model === null || model.driftProfile === undefined) continue;
      this.watched.push(
        before.get(model.version) ?? {
          monitor: new DriftMonitor(model.version, model.driftProfile, columnOf, this.windowMs),
          anomaly: model.role === 'anomaly',
        },
      );
    }
  }
}
