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
