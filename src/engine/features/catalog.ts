/**
 * The numeric features the engine computes for every transaction, in a fixed order.
 * Rules name them, models are trained on them, and a feature vector is a Float64Array indexed by this order.
 *
 * Window statistics describe the account's history *before* this transaction: a window of length W at
 * transaction time t holds the earlier transactions with timestamp in (t - W, t] (an event exactly W ago is
 * out). Transactions with an equal timestamp that were scored earlier count as history.
 */

export interface FeatureInfo {
  name: string;
  description: string;
}

const WINDOWS = [
  ['1h', 'hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
] as const;

function windowFeatures(): FeatureInfo[] {
  const out: FeatureInfo[] = [];
  for (const [suffix, words] of WINDOWS) {
    out.push(
      {
        name: `account_count_${suffix}`,
        description: `earlier transactions of the account in the last ${words}`,
      },
      { name: `account_sum_${suffix}`, description: `sum of their amounts` },
      { name: `account_mean_${suffix}`, description: `mean of their amounts (0 when none)` },
      {
        name: `account_std_${suffix}`,
        description: `population standard deviation of their amounts (0 when < 2)`,
      },
    );
  }
  return out;
}

/**
 * Amount and pace against the account's own habits at several horizons. The habit is the account's history
 * before the last 7 days, (t - 30d, t - 7d]: a card taken over last week has already shifted its 7- and 30-day
 * means, but not that.
 */
function habitFeatures(): FeatureInfo[] {
  return [
    { name: 'amount_ratio_mean_24h', description: 'amount / 24-hour mean; 1 without history in that window' },
    { name: 'amount_ratio_mean_7d', description: 'amount / 7-day mean; 1 without history in that window' },
    {
      name: 'account_count_habit',
      description: 'earlier transactions of the account in (t - 30d, t - 7d], its habit before the last week',
    },
    { name: 'account_mean_habit', description: 'mean amount of those transactions (0 when none)' },
    { name: 'amount_ratio_habit', description: 'amount / the habit mean; 1 without habit' },
    {
      name: 'amount_zscore_habit',
      description:
        '(amount - habit mean) / max(habit std, 10% of the mean, 1); 0 with fewer than 3 habit transactions',
    },
    {
      name: 'account_pace_vs_habit',
      description:
        'transactions in the last 24 hours against the habit daily rate: (count_24h + 1) / (habit per day + 1)',
    },
    {
      name: 'account_max_7d_ratio_habit',
      description:
        "largest amount of the account's earlier transactions in the last 7 days / the habit mean " +
        '(0 when none in 7 days; 1 without habit)',
    },
    {
      name: 'account_merchant_uses',
      description: 'earlier payments of the account at this merchant (0 for a new one; 0 without merchant)',
    },
  ];
}

/**
 * Merchant (terminal) risk from the labels that became known recently: a compromised terminal shows up as a
 * run of fraud labels, which a long smoothed rate blurs. Counts and the plain share (0 when none) per window.
 */
function merchantLabelWindowFeatures(): FeatureInfo[] {
  const out: FeatureInfo[] = [];
  for (const [suffix, words] of [
    ['1d', 'day'],
    ['7d', '7 days'],
    ['30d', '30 days'],
  ] as const) {
    out.push(
      {
        name: `merchant_labels_${suffix}`,
        description: `labels of this merchant's transactions that became known in the last ${words}`,
      },
      { name: `merchant_fraud_labels_${suffix}`, description: 'how many of them are fraud' },
      { name: `merchant_fraud_share_${suffix}`, description: 'their fraud share (0 when none)' },
    );
  }
  return out;
}

/**
 * Written by the engine after the rules and the anomaly models have run, for the supervised model that combines
 * them (a GBDT trained with these columns decides the score alone). Rules cannot name them: they are not known
 * when rules run.
 */
const COMBINATION_FEATURES: readonly FeatureInfo[] = [
  { name: 'rule_score', description: 'noisy-OR of the weights of the scoring rules that fired' },
  { name: 'anomaly_score', description: "the isolation forest's score (NaN when none is loaded)" },
];

export const FEATURES: readonly FeatureInfo[] = [
  { name: 'amount', description: 'the transaction amount' },
  { name: 'amount_log', description: 'ln(1 + amount)' },
  ...windowFeatures(),
  {
    name: 'amount_zscore_30d',
    description: '(amount - 30-day mean) / max(30-day std, 10% of the mean, 1); 0 with fewer than 3 earlier',
  },
  { name: 'amount_ratio_mean_30d', description: 'amount / 30-day mean; 1 without history' },
  {
    name: 'amount_ratio_max_30d',
    description: 'amount / largest amount of the last 30 days; 1 without history',
  },
  {
    name: 'seconds_since_last',
    description: "seconds since the account's previous transaction; -1 for the first ever",
  },
  { name: 'account_tx_total', description: 'all earlier transactions of the account ever seen' },
  { name: 'account_age_days', description: "days since the account's first transaction; 0 for the first" },
  {
    name: 'is_new_merchant',
    description:
      '1 when the account has history but never used this merchant (0 without merchant or history)',
  },
  {
    name: 'is_new_device',
    description: '1 when the account has history but never used this device (0 without device or history)',
  },
  {
    name: 'is_new_country',
    description: '1 when the account has history but never used this country (0 without country or history)',
  },
  {
    name: 'is_new_city',
    description: '1 when the account has history but never used this city (0 without city or history)',
  },
  {
    name: 'outside_home_city',
    description: '1 when the account has a home city (most used, >= 3 uses) and this is another city',
  },
  {
    name: 'outside_home_country',
    description: '1 when the account has a home country (most used, >= 3 uses) and this is another country',
  },
  {
    name: 'distance_from_home_km',
    description: "great-circle distance to the nearest of the account's usual locations; -1 when unknown",
  },
  { name: 'hour_of_day', description: 'hour of the timestamp, UTC (0-23)' },
  { name: 'is_night', description: '1 between 00:00 and 05:59 UTC' },
  { name: 'is_weekend', description: '1 on Saturday or Sunday, UTC' },
  {
    name: 'merchant_count_1d',
    description: 'earlier transactions at this merchant in the last day (0 without merchant)',
  },
  { name: 'merchant_count_7d', description: 'earlier transactions at this merchant in the last 7 days' },
  { name: 'merchant_count_30d', description: 'earlier transactions at this merchant in the last 30 days' },
  {
    name: 'merchant_fraud_rate',
    description:
      "share of the merchant's known labels that are fraud, smoothed: (fraud + 0.5) / (labels + 50)",
  },
  {
    name: 'merchant_fraud_rate_30d',
    description: 'the same over labels that became known in the last 30 days',
  },
  { name: 'merchant_labels_known', description: 'labels known for this merchant (all time)' },
  ...habitFeatures(),
  ...merchantLabelWindowFeatures(),
  {
    name: 'merchant_days_since_fraud_label',
    description: 'days since a fraud label at this merchant became known; -1 when none has',
  },
  {
    name: 'merchant_fraud_accounts_7d',
    description:
      'distinct accounts among the fraud labels of this merchant that became known in the last 7 days ' +
      '(a common point of compromise: many cards, not one card spending here several times)',
  },
  { name: 'merchant_fraud_accounts_30d', description: 'the same over the last 30 days' },
  {
    name: 'merchant_fraud_streak',
    description:
      "fraud labels in a row among the merchant's latest labels known in the last 30 days, in the order they " +
      'became known: fraud since its latest known legitimate label (at most 255)',
  },
  {
    name: 'merchant_fraud_episode_days',
    description:
      'days since the oldest fraud label of this merchant known in the last 30 days became known: how long it ' +
      'has been showing fraud; -1 when no fraud label became known in the last 30 days',
  },
  ...COMBINATION_FEATURES,
] as const;

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const COMBINATION_FEATURE_NAMES: readonly string[] = COMBINATION_FEATURES.map((f) => f.name);
/** The features a rule may test: all but the combination inputs, which do not exist yet when rules run. */
export const RULE_FEATURE_NAMES: readonly string[] = FEATURE_NAMES.filter(
  (name) => !COMBINATION_FEATURE_NAMES.includes(name),
);
export const FEATURE_COUNT = FEATURES.length;

/**
 * The catalogs of earlier releases, newest first, as the features each lacked: a store keeps every decision's
 * vector in the catalog order of its day, and reading one back maps it by name (featuresFromBytes in src/store/queries.ts), so an
 * upgrade does not drop the features of the decisions already made (training and dry runs still use them).
 */
const EARLIER_CATALOGS_LACKED: readonly (readonly string[])[] = [
  // before the fraud-episode feature (2026-12-03, evening)
  ['merchant_fraud_episode_days'],
  // before the recent-spike and fraud-streak features (2026-12-03, afternoon)
  ['account_max_7d_ratio_habit', 'merchant_fraud_streak', 'merchant_fraud_episode_days'],
  // before the distinct-fraud-account features (2026-12-03, morning)
  [
    'merchant_fraud_accounts_7d',
    'merchant_fraud_accounts_30d',
    'account_max_7d_ratio_habit',
    'merchant_fraud_streak',
    'merchant_fraud_episode_days',
  ],
];

/** For each earlier catalog's width, the catalog index of each of its columns. */
export const EARLIER_CATALOG_COLUMNS: ReadonlyMap<number, Int32Array> = new Map(
  EARLIER_CATALOGS_LACKED.map((lacked) => {
    const names = FEATURE_NAMES.filter((name) => !lacked.includes(name));
    return [names.length, Int32Array.from(names, (name) => FEATURE_NAMES.indexOf(name))] as const;
  }),
);

const featureIndex = new Map<string, number>(FEATURE_NAMES.map((name, i) => [name, i]));

/** Index of a feature in the vector, or -1. */
export function indexOfFeature(name: string): number {
  return featureIndex.get(name) ?? -1;
}

function must(name: string): number {
  const i = indexOfFeature(name);
  if (i < 0) throw new Error(`feature catalog lacks ${name}`);
  return i;
}

/** Indices for the engine's own writes; resolved once at load so the hot path uses plain numbers. */
export const F = {
  amount: must('amount'),
  amountLog: must('amount_log'),
  windowBase: must('account_count_1h'), // 4 windows x (count, sum, mean, std), in WINDOWS order
  zscore30d: must('amount_zscore_30d'),
  ratioMean30d: must('amount_ratio_mean_30d'),
  ratioMax30d: must('amount_ratio_max_30d'),
  secondsSinceLast: must('seconds_since_last'),
  txTotal: must('account_tx_total'),
  ageDays: must('account_age_days'),
  newMerchant: must('is_new_merchant'),
  newDevice: must('is_new_device'),
  newCountry: must('is_new_country'),
  newCity: must('is_new_city'),
  outsideHomeCity: must('outside_home_city'),
  outsideHomeCountry: must('outside_home_country'),
  distanceKm: must('distance_from_home_km'),
  hour: must('hour_of_day'),
  night: must('is_night'),
  weekend: must('is_weekend'),
  merchantCount1d: must('merchant_count_1d'),
  merchantCount7d: must('merchant_count_7d'),
  merchantCount30d: must('merchant_count_30d'),
  merchantFraudRate: must('merchant_fraud_rate'),
  merchantFraudRate30d: must('merchant_fraud_rate_30d'),
  merchantLabels: must('merchant_labels_known'),
  ratioMean24h: must('amount_ratio_mean_24h'),
  ratioMean7d: must('amount_ratio_mean_7d'),
  habitCount: must('account_count_habit'),
  habitMean: must('account_mean_habit'),
  ratioHabit: must('amount_ratio_habit'),
  zscoreHabit: must('amount_zscore_habit'),
  paceVsHabit: must('account_pace_vs_habit'),
  max7dRatioHabit: must('account_max_7d_ratio_habit'),
  merchantUses: must('account_merchant_uses'),
  merchantLabelBase: must('merchant_labels_1d'), // 3 windows x (labels, fraud labels, fraud share)
  merchantDaysSinceFraud: must('merchant_days_since_fraud_label'),
  merchantFraudAccounts7d: must('merchant_fraud_accounts_7d'), // then _30d, next to it
  merchantFraudAccounts30d: must('merchant_fraud_accounts_30d'),
  merchantFraudStreak: must('merchant_fraud_streak'),
  merchantFraudEpisodeDays: must('merchant_fraud_episode_days'),
  ruleScore: must('rule_score'),
  anomalyScore: must('anomaly_score'),
} as const;

/** Window lengths in milliseconds, in the order of the account_* window features. */
export const ACCOUNT_WINDOWS_MS = [3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000] as const;
export const MERCHANT_WINDOWS_MS = [86_400_000, 7 * 86_400_000, 30 * 86_400_000] as const;
