/**
 * Human names and units of the catalog's features, and the sentence a model reason shows an analyst: "amount
 * 8,000 is 53× the account's 30-day mean (151)" rather than "gbdt: amount". Pure code with no Node imports: the
 * dashboard bundles it to describe decisions stored before reasons carried their text.
 */
import { FEATURE_NAMES, indexOfFeature } from './catalog.ts';

export type FeatureUnit =
  | 'money'
  | 'count'
  | 'ratio'
  | 'deviations'
  | 'seconds'
  | 'days'
  | 'km'
  | 'flag'
  | 'share'
  | 'hour'
  | 'score';

export interface FeatureLabel {
  /** What the feature is, as an analyst says it. */
  name: string;
  unit: FeatureUnit;
  /** For a comparison of the amount (ratio or deviations): what it is compared to, the feature holding it. */
  baseline?: { feature?: string; name: string };
  /** For a flag: the phrase when it is 1 and when it is 0. */
  yes?: string;
  no?: string;
  /** The value that means "not known" (-1 for distances and first transactions), and what to say then. */
  unknown?: { value: number; text: string };
}

const WINDOW_WORDS = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};
const MEAN_WORDS = { '24h': '24-hour', '7d': '7-day', '30d': '30-day' };
const MERCHANT_WINDOW_WORDS = { '1d': 'last day', '7d': 'last 7 days', '30d': 'last 30 days' };

function windowLabels(): Record<string, FeatureLabel> {
  const out: Record<string, FeatureLabel> = {};
  for (const [suffix, words] of Object.entries(WINDOW_WORDS)) {
    out[`account_count_${suffix}`] = {
      name: `earlier transactions of the account in the ${words}`,
      unit: 'count',
    };
    out[`account_sum_${suffix}`] = { name: `the account's spending in the ${words}`, unit: 'money' };
    out[`account_mean_${suffix}`] = { name: `the account's mean amount in the ${words}`, unit: 'money' };
    out[`account_std_${suffix}`] = {
      name: `the spread (standard deviation) of the account's amounts in the ${words}`,
      unit: 'money',
    };
  }
  for (const [suffix, words] of Object.entries(MEAN_WORDS)) {
    out[`amount_ratio_mean_${suffix}`] = {
      name: `amount against the account's ${words} mean`,
      unit: 'ratio',
      baseline: { feature: `account_mean_${suffix}`, name: `the account's ${words} mean` },
    };
  }
  for (const [suffix, words] of Object.entries(MERCHANT_WINDOW_WORDS)) {
    out[`merchant_labels_${suffix}`] = {
      name: `verdicts known on this merchant's transactions from the ${words}`,
      unit: 'count',
    };
    out[`merchant_fraud_labels_${suffix}`] = {
      name: `fraud verdicts on this merchant's transactions from the ${words}`,
      unit: 'count',
    };
    out[`merchant_fraud_share_${suffix}`] = {
      name: `share of this merchant's verdicts from the ${words} that are fraud`,
      unit: 'share',
    };
  }
  return out;
}

const flag = (name: string, yes: string, no: string): FeatureLabel => ({ name, unit: 'flag', yes, no });

export const FEATURE_LABELS: Readonly<Record<string, FeatureLabel>> = {
  amount: { name: 'amount', unit: 'money' },
  amount_log: { name: 'amount', unit: 'money' },
  ...windowLabels(),
  amount_zscore_30d: {
    name: "amount against the account's 30-day mean",
    unit: 'deviations',
    baseline: { feature: 'account_mean_30d', name: "the account's 30-day mean" },
  },
  amount_ratio_max_30d: {
    name: "amount against the account's largest of the last 30 days",
    unit: 'ratio',
    baseline: { name: "the account's largest amount of the last 30 days" },
  },
  seconds_since_last: {
    name: "since the account's previous transaction",
    unit: 'seconds',
    unknown: { value: -1, text: "the account's first transaction" },
  },
  account_tx_total: { name: 'earlier transactions of the account', unit: 'count' },
  account_age_days: { name: 'account age', unit: 'days' },
  is_new_merchant: flag(
    'new merchant',
    'a merchant the account never used',
    'a merchant the account used before',
  ),
  is_new_device: flag('new device', 'a device the account never used', 'a device the account used before'),
  is_new_country: flag(
    'new country',
    'a country the account never used',
    'a country the account used before',
  ),
  is_new_city: flag('new city', 'a city the account never used', 'a city the account used before'),
  outside_home_city: flag('outside the home city', "outside the account's home city", 'in the home city'),
  outside_home_country: flag(
    'outside the home country',
    "outside the account's home country",
    'in the home country',
  ),
  distance_from_home_km: {
    name: "from the account's usual locations",
    unit: 'km',
    unknown: { value: -1, text: "distance from the account's usual locations unknown" },
  },
  hour_of_day: { name: 'hour of day', unit: 'hour' },
  is_night: flag('night time', 'at night (00:00–05:59 UTC)', 'in the daytime'),
  is_weekend: flag('weekend', 'on a weekend', 'on a weekday'),
  merchant_count_1d: { name: 'earlier transactions at this merchant in the last day', unit: 'count' },
  merchant_count_7d: { name: 'earlier transactions at this merchant in the last 7 days', unit: 'count' },
  merchant_count_30d: { name: 'earlier transactions at this merchant in the last 30 days', unit: 'count' },
  merchant_fraud_rate: { name: "merchant's fraud rate (smoothed)", unit: 'share' },
  merchant_fraud_rate_30d: { name: "merchant's fraud rate over the last 30 days (smoothed)", unit: 'share' },
  merchant_labels_known: { name: 'verdicts known for this merchant', unit: 'count' },
  account_count_habit: {
    name: 'transactions of the account 7 to 30 days ago (its habit)',
    unit: 'count',
  },
  account_mean_habit: { name: "the account's habitual mean amount (7 to 30 days ago)", unit: 'money' },
  amount_ratio_habit: {
    name: "amount against the account's habitual mean",
    unit: 'ratio',
    baseline: { feature: 'account_mean_habit', name: "the account's habitual mean (7 to 30 days ago)" },
  },
  amount_zscore_habit: {
    name: "amount against the account's habitual mean",
    unit: 'deviations',
    baseline: { feature: 'account_mean_habit', name: "the account's habitual mean (7 to 30 days ago)" },
  },
  account_pace_vs_habit: {
    name: "transactions in the last 24 hours against the account's usual daily pace",
    unit: 'ratio',
  },
  account_max_7d_ratio_habit: {
    name: "the account's largest amount of the last 7 days against its habitual mean",
    unit: 'ratio',
  },
  account_merchant_uses: { name: 'earlier payments of the account at this merchant', unit: 'count' },
  merchant_days_since_fraud_label: {
    name: 'since the last fraud verdict at this merchant',
    unit: 'days',
    unknown: { value: -1, text: 'no fraud verdict at this merchant yet' },
  },
  merchant_fraud_accounts_7d: {
    name: 'different accounts with a fraud verdict at this merchant from the last 7 days',
    unit: 'count',
  },
  merchant_fraud_accounts_30d: {
    name: 'different accounts with a fraud verdict at this merchant from the last 30 days',
    unit: 'count',
  },
  merchant_fraud_streak: {
    name: "fraud verdicts in a row among this merchant's latest (since its last legitimate one)",
    unit: 'count',
  },
  merchant_fraud_episode_days: {
    name: 'since the oldest fraud verdict at this merchant from the last 30 days',
    unit: 'days',
    unknown: { value: -1, text: 'no fraud verdict at this merchant in the last 30 days' },
  },
  rule_score: { name: 'rules score', unit: 'score' },
  anomaly_score: { name: 'anomaly score (isolation forest)', unit: 'score' },
};

/** A number as an analyst reads it: thousands separated, at most two decimals, fewer as it grows. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const [whole, fraction] = Math.abs(Number(value.toFixed(digits)))
    .toString()
    .split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

function formatRatio(value: number): string {
  return `${formatNumber(value >= 10 ? Math.round(value) : value)}×`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${formatNumber(seconds)} s`;
  if (seconds < 7200) return `${formatNumber(seconds / 60)} min`;
  if (seconds < 172_800) return `${formatNumber(seconds / 3600)} h`;
  return `${formatNumber(seconds / 86_400)} days`;
}

/** The value with its unit, without the feature's name ("8,000", "53×", "12 s", "yes"). */
export function formatFeatureValue(feature: string, value: number): string {
  const label = FEATURE_LABELS[feature];
  if (Number.isNaN(value)) return 'unknown';
  if (feature === 'amount_log') return formatNumber(Math.expm1(value));
  switch (label?.unit) {
    case 'ratio':
      return formatRatio(value);
    case 'deviations':
      return `${formatNumber(value)} standard deviations`;
    case 'seconds':
      return formatDuration(value);
    case 'days':
      return `${formatNumber(value)} days`;
    case 'km':
      return `${formatNumber(value)} km`;
    case 'flag':
      return value >= 0.5 ? 'yes' : 'no';
    case 'share':
      return `${formatNumber(value * 100)}%`;
    case 'hour':
      return `${String(Math.round(value)).padStart(2, '0')}:00 UTC`;
    default:
      return formatNumber(value);
  }
}

const AMOUNT = indexOfFeature('amount');
const MEAN_30D = indexOfFeature('account_mean_30d');

/**
 * The sentence for one model reason. `vector` (the decision's features, catalog order) gives the amount and the
 * baseline a comparison names; without it the sentence says what the value alone says.
 */
export function describeFeature(feature: string, value: number, vector?: ArrayLike<number>): string {
  const label = FEATURE_LABELS[feature];
  if (label === undefined) return `${feature} = ${formatNumber(value)}`;
  if (label.unknown !== undefined && value === label.unknown.value) return label.unknown.text;
  if (Number.isNaN(value)) return `${label.name}: unknown`;
  const amount = vector === undefined ? undefined : vector[AMOUNT];
  const amountText = amount === undefined ? 'amount' : `amount ${formatNumber(amount)}`;
  switch (label.unit) {
    case 'ratio':
    case 'deviations': {
      if (label.baseline === undefined) return `${label.name}: ${formatFeatureValue(feature, value)}`;
      const at = label.baseline.feature === undefined ? -1 : indexOfFeature(label.baseline.feature);
      const base = vector !== undefined && at >= 0 ? vector[at] : undefined;
      const baseText = base !== undefined && base > 0 ? ` (${formatNumber(base)})` : '';
      if (label.unit === 'ratio')
        return `${amountText} is ${formatRatio(value)} ${label.baseline.name}${baseText}`;
      const direction = value >= 0 ? 'above' : 'below';
      return `${amountText} is ${formatNumber(Math.abs(value))} standard deviations ${direction} ${label.baseline.name}${baseText}`;
    }
    case 'money': {
      if (label.name !== 'amount') return `${label.name}: ${formatNumber(value)}`;
      const mean = vector === undefined ? undefined : vector[MEAN_30D];
      const own = feature === 'amount_log' ? Math.expm1(value) : value;
      if (mean === undefined || !(mean > 0)) return `amount ${formatNumber(own)}`;
      return `amount ${formatNumber(own)} is ${formatRatio(own / mean)} the account's 30-day mean (${formatNumber(mean)})`;
    }
    case 'flag':
      return value >= 0.5 ? label.yes! : label.no!;
    case 'count':
      return `${formatNumber(value)} ${label.name}`;
    case 'seconds':
    case 'days':
    case 'km':
      return `${formatFeatureValue(feature, value)} ${label.name}`;
    default:
      return `${label.name} ${formatFeatureValue(feature, value)}`;
  }
}

/** Every catalog feature has a label (checked by the tests, so a new feature cannot ship as a bare name). */
export function unlabelledFeatures(): string[] {
  return FEATURE_NAMES.filter((name) => FEATURE_LABELS[name] === undefined);
}
