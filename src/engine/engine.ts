/**
 * The scoring engine: transaction in, Decision out. Pure and synchronous: no I/O, no await.
 * validate (caller) → features → rules → models → decide. The only way back is `feedback`, delayed.
 */
import {
  combinedScore,
  DEFAULT_DECISION_SETTINGS,
  holdable,
  outcomeForScore,
  outcomeSeverity,
  thresholdsProblem,
  type Decision,
  type DecidedBy,
  type DecisionSettings,
  type Outcome,
  type Reason,
  type ShadowScore,
} from './decision.ts';
import { F, FEATURE_COUNT } from './features/catalog.ts';
import { applyMerchantLabel, extractFeatures } from './features/extract.ts';
import { hashValue } from './features/seen-values.ts';
import { describeFeature } from './features/feature-labels.ts';
import { ACCOUNT_IDLE_MS, type AccountArena } from './features/account-arena.ts';
import { InMemoryFeatureStore, type FeatureStateStore } from './features/feature-store.ts';
import { LabelQueue, type PendingLabel } from './label-queue.ts';
import type { ModelSlot } from './model.ts';
import type { CompiledRuleSet } from './rules/index.ts';
import { loadDefaultRules } from './rules/index.ts';
import type { Transaction } from './transaction.ts';
import type { SnoozedRule, SnoozeIndex } from './rule-snoozes.ts';
import { DEFAULT_CURRENCY_SETTINGS, type CurrencySettings } from './currency-settings.ts';

export const DEFAULT_LABEL_DELAY_MS = 7 * 86_400_000;

export interface EngineOptions {
  rules?: CompiledRuleSet;
  settings?: Partial<DecisionSettings>;
  models?: ModelSlot[];
  /** How long after a verdict is given it becomes visible to features. Default 7 days. */
  labelDelayMs?: number;
  store?: FeatureStateStore;
  /** How many model features to name in the reasons of a flagged decision. Default 3. */
  explainTop?: number;
  /**
   * How many recent transaction ids to remember so `feedback` can find their merchant without being told.
   * Default 0: callers that keep transactions (the store, a replay) pass the merchant to `feedback` instead,
   * and a large id map costs hash-table cache misses on every transaction.
   */
  recentTransactions?: number;
  /**
   * The wall clock, for a live engine: accounts idle past every window are evicted by transaction time, never
   * later than this clock says, so a transaction dated in the future cannot make current accounts look idle.
   * Without it (replays, backtests), transaction time alone decides.
   */
  now?: () => number;
  /**
   * The default currency and the optional conversion table: with a table, features see amounts in its base
   * currency (the transaction keeps the amount it was sent with). Callers validate with the same settings.
   */
  currency?: CurrencySettings;
}

export interface ScoreOptions {
  /** Record the transaction into the account and merchant state (default true). False = a dry run. */
  record?: boolean;
  /**
   * Which model set decides (the A/B split): the champion set in force (default) or the challenger set. Without
   * challenger slots the champion decides whatever is asked.
   */
  decidedBy?: DecidedBy;
}

/**
 * A model set prepared for scoring: its slots in scoring order (anomaly and other models first, combiners last)
 * and the joined version of its loaded models, built once per set so a decision does not build it.
 */
interface PreparedSet {
  slots: readonly ModelSlot[];
  order: number[];
  /** Position in `order` of the first combiner (= its length when there is none). */
  firstCombiner: number;
  /** The `+`-joined versions of the loaded models; null without any. */
  version: string | null;
  /** Bits of the slots whose answer the cached version stands for (every slot, when every slot has a model). */
  mask: number;
}

function prepareSet(slots: readonly ModelSlot[]): PreparedSet {
  const isCombiner = (i: number): boolean => slots[i]!.model?.role === 'combiner';
  const indices = slots.map((_, i) => i);
  const order = [...indices.filter((i) => !isCombiner(i)), ...indices.filter(isCombiner)];
  const loaded = slots.filter((slot) => slot.model !== null);
  let mask = 0;
  for (let i = 0; i < Math.min(31, slots.length); i++) mask |= 1 << i;
  return {
    slots,
    order,
    firstCombiner: indices.filter((i) => !isCombiner(i)).length,
    version: loaded.length ? loaded.map((slot) => slot.model!.version).join('+') : null,
    mask: loaded.length === slots.length ? mask : -1,
  };
}

/** Versions of the slots in `mask` (the rare path where a model failed). */
function versionsOf(set: PreparedSet, mask: number): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(31, set.slots.length); i++) {
    if ((mask & (1 << i)) !== 0) parts.push(set.slots[i]!.model!.version);
  }
  return parts.join('+');
}

export type Label = 'fraud' | 'legit';

export class Engine {
  private rules: CompiledRuleSet;
  private settings: DecisionSettings;
  private models: readonly ModelSlot[];
  private readonly store: FeatureStateStore;
  private readonly labels = new LabelQueue();
  readonly labelDelayMs: number;
  private readonly explainTop: number;
  private readonly recentCapacity: number;
  private readonly recentMerchants = new Map<string, string>();
  private readonly recentIds: (string | undefined)[];
  private recentNext = 0;
  /** Newest transaction time recorded: state last touched more than ACCOUNT_IDLE_MS before it is evicted. */
  private latestRecorded = -Infinity;
  private readonly now: (() => number) | null;
  private readonly applyLabel = (label: PendingLabel): void =>
    applyMerchantLabel(this.store.merchant(label.merchantId), label.fraud, label.knownAt, label.accountHash);
  /** Feature vector of the last scored transaction; overwritten by the next call. */
  readonly features = new Float64Array(FEATURE_COUNT);
  /** What validation of this engine's input uses for currencies (`validateTransaction(input, engine.currency)`). */
  readonly currency: CurrencySettings;

  constructor(options: EngineOptions = {}) {
    this.rules = options.rules ?? loadDefaultRules();
    this.settings = { ...DEFAULT_DECISION_SETTINGS, ...options.settings };
    this.models = options.models ?? [];
    this.championSet = prepareSet(this.models);
    this.labelDelayMs = options.labelDelayMs ?? DEFAULT_LABEL_DELAY_MS;
    this.store = options.store ?? new InMemoryFeatureStore();
    this.explainTop = options.explainTop ?? 3;
    this.recentCapacity = options.recentTransactions ?? 0;
    this.recentIds = new Array<string | undefined>(this.recentCapacity);
    this.now = options.now ?? null;
    this.currency = options.currency ?? DEFAULT_CURRENCY_SETTINGS;
    const problem = thresholdsProblem(this.settings.thresholds);
    if (problem) throw new RangeError(`settings.thresholds: ${problem}`);
  }

  get rulesVersion(): string {
    return this.rules.version;
  }

  get ruleSet(): CompiledRuleSet {
    return this.rules;
  }

  get decisionSettings(): DecisionSettings {
    return this.settings;
  }

  get featureStore(): FeatureStateStore {
    return this.store;
  }

  /** The model slots in force; a new array whenever `setModels` puts other models in force. */
  get modelSlots(): readonly ModelSlot[] {
    return this.models;
  }

  /** Model slots with a loaded model. */
  get modelCount(): number {
    return this.models.filter((slot) => slot.model !== null).length;
  }

  get pendingLabels(): number {
    return this.labels.size;
  }

  /** Replaces the rule set. Atomic: a decision uses exactly one rule set, the one in place when it started. */
  setRules(rules: CompiledRuleSet): void {
    this.rules = rules;
  }

  /** The settings `setSettings(settings)` would put in place, without doing it; a RangeError names what is wrong. */
  checkSettings(settings: Partial<DecisionSettings>): DecisionSettings {
    const next = { ...this.settings, ...settings };
    const problem = thresholdsProblem(next.thresholds);
    if (problem) throw new RangeError(`thresholds: ${problem}`);
    if (!Number.isFinite(next.bypass_score) || next.bypass_score < 0 || next.bypass_score > 1) {
      throw new RangeError('bypass_score: must be a number in [0,1]');
    }
    if (next.hold_on_review !== undefined && typeof next.hold_on_review !== 'boolean') {
      throw new RangeError('hold_on_review: must be true or false');
    }
    return next;
  }

  /**
   * The rule snoozes in force (issue 17), replaced whole like the rules: null (or an empty index) when there are
   * none, so a decision then pays one null check per fired rule and nothing else.
   */
  setSnoozes(snoozes: SnoozeIndex | null): void {
    this.snoozes = snoozes === null || snoozes.size === 0 ? null : snoozes;
  }

  get snoozeIndex(): SnoozeIndex | null {
    return this.snoozes;
  }

  private snoozes: SnoozeIndex | null = null;

  setSettings(settings: Partial<DecisionSettings>): void {
    this.settings = this.checkSettings(settings);
  }

  setModels(models: ModelSlot[]): void {
    this.models = models;
    this.championSet = prepareSet(models);
  }

  private challengers: readonly ModelSlot[] | null = null;
  private championSet: PreparedSet;
  private challengerSet: PreparedSet | null = null;

  /**
   * The challenger model set (issue 13): while one is set, every decision is also scored by it (shadow scoring:
   * `decision.shadow`, no effect on the outcome), and a decision asked with `decidedBy: 'challenger'` (the A/B
   * split) is decided by it, the champion set then scoring in the shadow. Null: no challenger.
   */
  setChallengerModels(models: ModelSlot[] | null): void {
    this.challengers = models;
    this.challengerSet = models === null ? null : prepareSet(models);
  }

  /** The challenger slots in force, null without a challenger. */
  get challengerSlots(): readonly ModelSlot[] | null {
    return this.challengers;
  }

  /** The `model_version` a decision by the champion set carries when all its models answer (null without models). */
  get championVersion(): string | null {
    return this.championSet.version;
  }

  /** The same for the challenger set; null without a challenger. */
  get challengerVersion(): string | null {
    return this.challengerSet?.version ?? null;
  }

  /**
   * Takes a recorded transaction back out of its merchant's counts (its decision could not be stored, and the
   * transaction will come again). The account's state is put back by the caller from a snapshot.
   */
  withdrawFromMerchant(tx: Transaction): boolean {
    if (tx.merchant_id === undefined) return false;
    return this.store.merchant(tx.merchant_id).traffic.remove(tx.timestamp, 1);
  }

  /**
   * Records a transaction into the account and merchant state without deciding it: the same feature code as
   * `score`, for rebuilding the state from stored history after a restart. `accounts` takes the account side
   * elsewhere (a scratch arena when account state lives in a shared store that already has it).
   */
  record(tx: Transaction, accounts: AccountArena = this.store.accounts): void {
    if (this.labels.size > 0) this.labels.drain(tx.timestamp, this.applyLabel);
    const merchant = tx.merchant_id === undefined ? null : this.store.merchant(tx.merchant_id);
    const amount = this.featureAmount(tx);
    extractFeatures(tx, amount, accounts, accounts.slot(tx.account_id), merchant, this.features, true);
    if (tx.merchant_id !== undefined && this.recentCapacity > 0) this.remember(tx);
    this.evictIdle(tx.timestamp);
  }

  /** The amount features see: converted to the table's base currency when one is configured. */
  private featureAmount(tx: Transaction): number {
    const fx = this.currency.fx;
    if (fx === null) return tx.amount;
    const converted = fx.toBase(tx.amount, tx.currency);
    // Validation refuses a currency the table lacks; one that got past it anyway is taken as it is.
    return Number.isNaN(converted) ? tx.amount : converted;
  }

  /** Moves the eviction clock to `timestamp` (a recorded transaction's) and sweeps a few idle entries. */
  private evictIdle(timestamp: number): void {
    if (timestamp > this.latestRecorded) {
      const bounded = this.now === null ? timestamp : Math.min(timestamp, this.now());
      if (bounded > this.latestRecorded) this.latestRecorded = bounded;
    }
    this.store.evictIdle(this.latestRecorded - ACCOUNT_IDLE_MS);
  }

  score(tx: Transaction, options?: ScoreOptions): Decision {
    const rules = this.rules;
    const settings = this.settings;
    const record = options?.record ?? true;
    const f = this.features;

    if (this.labels.size > 0) this.labels.drain(tx.timestamp, this.applyLabel);
    const accounts = this.store.accounts;
    const slot = accounts.slot(tx.account_id);
    const merchant = tx.merchant_id === undefined ? null : this.store.merchant(tx.merchant_id);
    extractFeatures(tx, this.featureAmount(tx), accounts, slot, merchant, f, record);
    if (record) {
      if (tx.merchant_id !== undefined && this.recentCapacity > 0) this.remember(tx);
      this.evictIdle(tx.timestamp);
    }

    if (settings.bypass) {
      f[F.ruleScore] = 0;
      f[F.anomalyScore] = NaN;
      return {
        transaction_id: tx.transaction_id,
        score: settings.bypass_score,
        outcome: 'approve',
        reasons: [],
        rule_score: 0,
        model_score: null,
        model_version: null,
        rules_version: rules.version,
        bypassed: true,
        degraded: false,
        decided_by: 'champion',
        shadow: null,
        hold: false,
      };
    }

    const reasons: Reason[] = [];
    let keep = 1;
    let forced: Outcome | null = null;
    let floor: Outcome | null = null;
    let holdRule = false;
    const snoozes = this.snoozes;
    let snoozed: SnoozedRule[] | null = null;
    const list = rules.rules;
    for (let i = 0; i < list.length; i++) {
      const rule = list[i]!;
      if (!rule.test(tx, f)) continue;
      // Asked only of a fired rule, and only while a snooze exists: the snoozed rule counts for nothing.
      if (snoozes !== null) {
        const snooze = snoozes.find(rule.id, tx);
        if (snooze !== null) {
          (snoozed ??= []).push({
            rule: rule.ref,
            snooze_id: snooze.id,
            entity_type: snooze.entity_type,
            until: snooze.until,
          });
          continue;
        }
      }
      if (rule.hold) holdRule = true;
      if (rule.outcome !== null) {
        reasons.push({ kind: 'rule', rule: rule.ref, reason: rule.reason, score: 0, outcome: rule.outcome });
        if (forced === null || outcomeSeverity(rule.outcome) > outcomeSeverity(forced)) forced = rule.outcome;
      } else if (rule.atLeast === null) {
        reasons.push({ kind: 'rule', rule: rule.ref, reason: rule.reason, score: rule.score });
        keep *= 1 - rule.score;
      } else {
        const least = rule.atLeast;
        reasons.push({
          kind: 'rule',
          rule: rule.ref,
          reason: rule.reason,
          score: rule.score,
          at_least: least,
        });
        keep *= 1 - rule.score;
        if (floor === null || outcomeSeverity(least) > outcomeSeverity(floor)) floor = least;
      }
    }
    const ruleScore = 1 - keep;

    f[F.ruleScore] = ruleScore;
    const challenger = this.challengerSet;
    const byChallenger = challenger !== null && options?.decidedBy === 'challenger';
    let shadow: ShadowScore | null = null;
    if (challenger !== null) {
      // The other set first: the deciding set runs last, so the vector (stored, and `features`) keeps the anomaly
      // score the deciding set's combiner read.
      this.scoreSet(byChallenger ? this.championSet : challenger, f, ruleScore);
      shadow = { score: this.setScore, model_version: this.setVersion };
    }
    this.scoreSet(byChallenger ? challenger : this.championSet, f, ruleScore);
    const score = this.setScore;
    const modelScore = this.setModelScore;
    const modelVersion = this.setVersion;
    const degraded = this.setDegraded;
    const explainer = this.setExplainer;
    const byScore = outcomeForScore(score, settings.thresholds);
    const outcome =
      forced ?? (floor !== null && outcomeSeverity(floor) > outcomeSeverity(byScore) ? floor : byScore);

    if (explainer !== null && explainer.model !== null && outcome !== 'approve') {
      const model = explainer.model;
      for (const c of model.explain!(f, this.explainTop)) {
        reasons.push({
          kind: 'model',
          model: model.name,
          feature: c.feature,
          value: c.value,
          contribution: c.contribution,
          // Flagged decisions only (about 4 µs for three reasons on this machine), beside the explanation itself.
          text: describeFeature(c.feature, c.value, f),
        });
      }
    }

    const decision: Decision = {
      transaction_id: tx.transaction_id,
      score,
      outcome,
      reasons,
      rule_score: ruleScore,
      model_score: modelScore,
      model_version: modelVersion,
      rules_version: rules.version,
      bypassed: false,
      degraded,
      decided_by: byChallenger ? 'challenger' : 'champion',
      shadow,
      hold: holdable(outcome) && (holdRule || settings.hold_on_review === true),
    };
    if (snoozed !== null) decision.snoozed_rules = snoozed;
    return decision;
  }

  // What scoreSet found, in fields rather than a returned object: the hot path allocates nothing for it.
  private setScore = 0;
  private setModelScore: number | null = null;
  private setVersion: string | null = null;
  private setDegraded = false;
  private setExplainer: ModelSlot | null = null;

  /**
   * Runs one model set on the vector (writing its anomaly score into it for its combiners) and combines its
   * answer with the rule score: the decision score that set gives, with the rules as they fired.
   */
  private scoreSet(set: PreparedSet, f: Float64Array, ruleScore: number): void {
    let degraded = false;
    let weighted = 0;
    let weights = 0;
    let anomalySum = 0;
    let anomalies = 0;
    let combined = 0;
    let combinerWeights = 0;
    let explainer: ModelSlot | null = null;
    let answered = 0; // bit i: slot i answered (slots beyond 30 are not tracked in the version string)
    const models = set.slots;
    const order = set.order;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      // Combiners come last in the order: the anomaly score they read is written before the first.
      if (k === set.firstCombiner) f[F.anomalyScore] = anomalies > 0 ? anomalySum / anomalies : NaN;
      const slot = models[i]!;
      const model = slot.model;
      if (model === null) {
        degraded = true; // configured but not loaded: rules and the other models decide
        continue;
      }
      const combiner = model.role === 'combiner';
      let s: number;
      try {
        s = model.predict(f);
      } catch {
        s = NaN;
      }
      if (!(s >= 0 && s <= 1)) {
        degraded = true; // a model that fails or answers nonsense is left out; rules still decide
        continue;
      }
      if (combiner) {
        combined += slot.weight * s;
        combinerWeights += slot.weight;
      } else {
        weighted += slot.weight * s;
        weights += slot.weight;
        if (model.role === 'anomaly') {
          anomalySum += s;
          anomalies++;
        }
      }
      if (i < 31) answered |= 1 << i;
      if (model.explain !== undefined && (explainer === null || slot.weight > explainer.weight))
        explainer = slot;
    }
    if (set.firstCombiner === order.length) f[F.anomalyScore] = anomalies > 0 ? anomalySum / anomalies : NaN;
    // A combiner that answered decides the score; otherwise models and rules add up as independent evidence.
    const modelScore =
      combinerWeights > 0 ? combined / combinerWeights : weights > 0 ? weighted / weights : null;
    this.setModelScore = modelScore;
    // The joined versions are built once per model set; only a decision that lost a model builds its own.
    this.setVersion = answered === 0 ? null : answered === set.mask ? set.version : versionsOf(set, answered);
    this.setScore = combinerWeights > 0 ? modelScore! : combinedScore(ruleScore, modelScore);
    this.setDegraded = degraded;
    this.setExplainer = explainer;
  }

  /**
   * Records a verdict on a transaction, given at time `at` (epoch ms). It becomes visible to features at
   * `at + labelDelayMs`. The merchant comes from `merchantId` or from the recent-transaction memory.
   * `accountId`, the transaction's account, tells the merchant's fraud labels of one card from many cards'.
   * Returns false when the merchant is unknown (the label cannot feed merchant risk).
   */
  feedback(
    transactionId: string,
    label: Label,
    at: number,
    merchantId?: string,
    accountId?: string,
  ): boolean {
    const merchant = merchantId ?? this.recentMerchants.get(transactionId);
    if (merchant === undefined) return false;
    this.labels.push({
      knownAt: at + this.labelDelayMs,
      merchantId: merchant,
      accountHash: accountId === undefined ? 0 : hashValue(accountId),
      fraud: label === 'fraud',
    });
    return true;
  }

  /**
   * The truth about a transaction this engine saw, given at the transaction's own time (a backtest's or a
   * simulation's labels): `feedback` with its merchant and account. False without a merchant.
   */
  feedbackTransaction(tx: Transaction, fraud: boolean): boolean {
    if (tx.merchant_id === undefined) return false;
    return this.feedback(
      tx.transaction_id,
      fraud ? 'fraud' : 'legit',
      tx.timestamp,
      tx.merchant_id,
      tx.account_id,
    );
  }

  /**
   * Remembers the merchant of recent transactions for `feedback`. A ring of ids says which entry to forget
   * next; asking a Map for its oldest key instead degrades badly once it has seen many deletions.
   */
  private remember(tx: Transaction): void {
    const slot = this.recentNext;
    const evicted = this.recentIds[slot];
    if (evicted !== undefined) this.recentMerchants.delete(evicted);
    this.recentIds[slot] = tx.transaction_id;
    this.recentMerchants.set(tx.transaction_id, tx.merchant_id!);
    this.recentNext = slot + 1 === this.recentCapacity ? 0 : slot + 1;
  }
}
