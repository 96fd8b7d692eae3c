/**
 * A stand-in model for when no trained model is loaded: a hand-set logistic score over a few features
 * (amount far above the account's habit, velocity, a new device or country, a merchant with known fraud).
 * Its version says `heuristic` so no decision passes it off as a trained model. Weights are documented in
 * docs/decisions.md.
 */
import { F } from './features/catalog.ts';
import type { FeatureContribution, ScoringModel } from './model.ts';

const BIAS = -4.2;
const TERMS: readonly { index: number; feature: string; weight: number; cap: number }[] = [
  { index: F.zscore30d, feature: 'amount_zscore_30d', weight: 0.35, cap: 8 },
  { index: F.ratioMean30d, feature: 'amount_ratio_mean_30d', weight: 0.25, cap: 10 },
  { index: F.windowBase, feature: 'account_count_1h', weight: 0.3, cap: 10 },
  { index: F.newDevice, feature: 'is_new_device', weight: 0.9, cap: 1 },
  { index: F.newCountry, feature: 'is_new_country', weight: 0.9, cap: 1 },
  { index: F.merchantFraudRate30d, feature: 'merchant_fraud_rate_30d', weight: 12, cap: 0.5 },
];

function term(features: Float64Array, i: number): number {
  const t = TERMS[i]!;
  const v = features[t.index]!;
  return t.weight * Math.max(0, Math.min(v, t.cap));
}

export class HeuristicModel implements ScoringModel {
  readonly name = 'heuristic';
  readonly version = 'heuristic-v1';

  predict(features: Float64Array): number {
    let z = BIAS;
    for (let i = 0; i < TERMS.length; i++) z += term(features, i);
    return 1 / (1 + Math.exp(-z));
  }

  explain(features: Float64Array, top: number): FeatureContribution[] {
    const out: FeatureContribution[] = [];
    for (let i = 0; i < TERMS.length; i++) {
      const c = term(features, i);
      if (c > 0) out.push({ feature: TERMS[i]!.feature, value: features[TERMS[i]!.index]!, contribution: c });
    }
    out.sort((a, b) => b.contribution - a.contribution);
    return out.slice(0, top);
  }
}
