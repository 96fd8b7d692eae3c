/**
 * The slot a model plugs into. Anything with `predict(features) -> number in [0,1]` can score; `explain`
 * is optional and gives signed per-feature contributions for the decision's reasons.
 */

export interface FeatureContribution {
  feature: string;
  value: number;
  contribution: number;
}

export interface ScoringModel {
  /** Short kind, e.g. `gbdt`, `iforest`, `heuristic`. */
  readonly name: string;
  /** Identifies the trained artifact, e.g. `gbdt-2026-11-24T10:00:00Z`. */
  readonly version: string;
  /** Risk in [0,1], higher is riskier, from the engine's feature vector (catalog order). Synchronous. */
  predict(features: Float64Array): number;
  /**
   * `anomaly`: an unsupervised score the engine writes into the `anomaly_score` feature before the other
   * models run. `combiner`: a model trained on `rule_score` and `anomaly_score`; when one answers, its score is
   * the decision's score (the rules and the anomaly model already spoke through it). Otherwise (undefined)
   * the model's score is averaged with the others' and combined with the rules by noisy-OR.
   */
  readonly role?: 'anomaly' | 'combiner' | undefined;
  /** The `top` features that pushed this score most, with signed contributions. */
  explain?(features: Float64Array, top: number): FeatureContribution[];
}

/**
 * A model and how much its score counts in the model score (weights are normalised over the models). A slot
 * whose model is `null` is configured but missing (its artifact failed to load): decisions are then `degraded`.
 */
export interface ModelSlot {
  model: ScoringModel | null;
  weight: number;
}
