/** The library's public surface: the engine and what it takes and gives. */
export { Engine, DEFAULT_LABEL_DELAY_MS } from './engine/engine.ts';
export type { EngineOptions, ScoreOptions, Label } from './engine/engine.ts';
export {
  validateTransaction,
  parseTimestamp,
  formatErrors,
  transactionToJSON,
  ATTRIBUTE_LIMITS,
} from './engine/transaction.ts';
export type { Transaction, Attributes, AttributeValue, FieldError, Validated } from './engine/transaction.ts';
export { currencySettingsFromEnv, DEFAULT_CURRENCY_SETTINGS } from './engine/currency-settings.ts';
export type { CurrencySettings } from './engine/currency-settings.ts';
export { FxRates, FxRatesError, loadFxRates } from './engine/fx-rates.ts';
export {
  OUTCOMES,
  DEFAULT_THRESHOLDS,
  DEFAULT_DECISION_SETTINGS,
  outcomeForScore,
} from './engine/decision.ts';
export type { Decision, DecisionSettings, Outcome, Reason, Thresholds } from './engine/decision.ts';
export { FEATURES, FEATURE_NAMES, indexOfFeature } from './engine/features/catalog.ts';
export { InMemoryFeatureStore } from './engine/features/feature-store.ts';
export type { FeatureStateStore } from './engine/features/feature-store.ts';
export { HeuristicModel } from './engine/heuristic-model.ts';
export type { ScoringModel, ModelSlot, FeatureContribution } from './engine/model.ts';
export { compileRules, validateRules, loadDefaultRules } from './engine/rules/index.ts';
export type { CompiledRuleSet, CompiledRule } from './engine/rules/index.ts';
