/**
 * The fraud-pattern report (docs/reports.md; the runbooks' "Unusual fraud pattern detected" step): flagged and
 * confirmed fraud of a recent window against a baseline before it, per merchant category, country, channel, hour
 * of day, amount band, merchant and device, each value with a risk level and the rule that set it.
 */
import { amountBand, hourOfDay } from '../store/report-queries.ts';
import {
  PATTERN_DIMENSIONS,
  type DecisionStore,
  type PatternDimension,
  type StoredTransaction,
} from '../store/types.ts';
import { knownLabels } from '../training/known-labels.ts';

/** The risk rule: a rate this many times the baseline's, on at least MIN_EVENTS events in the current window. */
export const RISK_RULE = { high: 3, medium: 1.5, min_events: 5 } as const;
export const RISK_RULE_TEXT =
  `high: the flagged or confirmed-fraud rate is >= ${RISK_RULE.high}x the baseline's (or new: none in the baseline), ` +
  `with >= ${RISK_RULE.min_events} such events in the current window; medium: >= ${RISK_RULE.medium}x with as many ` +
  `events; low: otherwise`;
/** Values listed per dimension, riskiest first. */
export const TOP_VALUES = 10;

export type RiskLevel = 'low' | 'medium' | 'high';

export interface WindowFigures {
  decisions: number;
  flagged: number;
  /** Decisions of the window labelled fraud (labels known at the report's time). */
  fraud: number;
  flagged_rate: number | null;
  fraud_rate: number | null;
}

export interface PatternRow {
  value: string | null;
  current: WindowFigures;
  baseline: WindowFigures;
  /** Current rate / baseline rate; null when the baseline rate is 0 (or there is no current rate). */
  flagged_ratio: number | null;
  fraud_ratio: number | null;
  risk: RiskLevel;
  /** Why this level, in words. */
  rule: string;
}

export interface PatternReport {
  generated_at: string;
  current: { from: string; to: string; ms: number };
  baseline: { from: string; to: string; ms: number };
  risk_rule: string;
  /** The highest level of any value. */
  risk: RiskLevel;
  overall: PatternRow;
  dimensions: { dimension: PatternDimension; rows: PatternRow[] }[];
}

/** A transaction's value for a dimension, as the store's pattern query groups it. */
export function dimensionValue(row: StoredTransaction, dimension: PatternDimension): string | null {
  const tx = row.transaction;
  switch (dimension) {
    case 'merchant_category':
      return tx.merchant_category ?? null;
    case 'country':
      return tx.country ?? null;
    case 'channel':
      return tx.channel ?? null;
    case 'hour':
      return hourOfDay(tx.timestamp);
    case 'amount_band':
      return amountBand(tx.amount);
    case 'merchant':
      return tx.merchant_id ?? null;
    case 'device':
      return tx.device_id ?? null;
  }
}

const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

function windowFigures(decisions: number, flagged: number, fraud: number): WindowFigures {
  return {
    decisions,
    flagged,
    fraud,
    flagged_rate: rate(flagged, decisions),
    fraud_rate: rate(fraud, decisions),
  };
}

const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

/** The risk rule applied to one value: the highest level either rate reaches, and why. */
export function riskOf(
  current: WindowFigures,
  baseline: WindowFigures,
): Pick<PatternRow, 'flagged_ratio' | 'fraud_ratio' | 'risk' | 'rule'> {
  const ratioOf = (c: number | null, b: number | null): number | null =>
    c === null || b === null || b === 0 ? null : c / b;
  const flaggedRatio = ratioOf(current.flagged_rate, baseline.flagged_rate);
  const fraudRatio = ratioOf(current.fraud_rate, baseline.fraud_rate);
  let best: { level: RiskLevel; rule: string } = {
    level: 'low',
    rule: `low: no rate >= ${RISK_RULE.medium}x the baseline's with >= ${RISK_RULE.min_events} events`,
  };
  const consider = (name: string, events: number, r: number | null, baseRate: number | null): void => {
    if (events < RISK_RULE.min_events) return;
    const isNew = baseRate === 0 || baseRate === null;
    // A hair of tolerance: 0.3 / 0.1 is 2.9999999999999996 in floating point, and is 3x as written.
    const atLeast = (x: number): boolean => r! >= x - 1e-9;
    const level: RiskLevel =
      isNew || atLeast(RISK_RULE.high) ? 'high' : atLeast(RISK_RULE.medium) ? 'medium' : 'low';
    if (LEVELS.indexOf(level) <= LEVELS.indexOf(best.level)) return;
    const why = isNew
      ? `${name} rate new (none in the baseline)`
      : `${name} rate ${fmt(r!)}x the baseline's (>= ${level === 'high' ? RISK_RULE.high : RISK_RULE.medium}x)`;
    best = { level, rule: `${level}: ${why}, ${events} ${name} events (>= ${RISK_RULE.min_events})` };
  };
  consider('flagged', current.flagged, flaggedRatio, baseline.flagged_rate);
  consider('fraud', current.fraud, fraudRatio, baseline.fraud_rate);
  return { flagged_ratio: flaggedRatio, fraud_ratio: fraudRatio, risk: best.level, rule: best.rule };
}

type Counts = { decisions: number; flagged: number; fraud: number };
const key = (dimension: PatternDimension, value: string | null): string =>
  `${dimension}\u0000${value ?? ''}\u0000${value === null}`;

async function windowCounts(
  store: DecisionStore,
  from: number,
  to: number,
  frauds: StoredTransaction[],
): Promise<Map<string, Counts>> {
  const counts = new Map<string, Counts>();
  for (const c of await store.patternCounts(from, to)) {
    counts.set(key(c.dimension, c.value), { decisions: c.decisions, flagged: c.flagged, fraud: 0 });
  }
  for (const row of frauds) {
    if (row.decided_at < from || row.decided_at >= to) continue;
    for (const dimension of PATTERN_DIMENSIONS) {
      const found = counts.get(key(dimension, dimensionValue(row, dimension)));
      if (found !== undefined) found.fraud++;
    }
  }
  return counts;
}

/** The report of [now - currentMs, now] against the baselineMs before it. */
export async function patternReport(
  store: DecisionStore,
  now: number,
  currentMs: number,
  baselineMs: number,
): Promise<PatternReport> {
  const to = now + 1; // up to and including now
  const split = to - currentMs;
  const from = split - baselineMs;
  const labels = await knownLabels(store, now);
  const fraudIds = [...labels].flatMap(([id, label]) => (label.fraud ? [id] : []));
  const frauds = await store.transactionsDecidedIn(fraudIds, from, to);
  const [current, baseline] = await Promise.all([
    windowCounts(store, split, to, frauds),
    windowCounts(store, from, split, frauds),
  ]);
  const rowOf = (value: string | null, c: Counts | undefined, b: Counts | undefined): PatternRow => {
    const cur = windowFigures(c?.decisions ?? 0, c?.flagged ?? 0, c?.fraud ?? 0);
    const base = windowFigures(b?.decisions ?? 0, b?.flagged ?? 0, b?.fraud ?? 0);
    return { value, current: cur, baseline: base, ...riskOf(cur, base) };
  };
  const dimensions = PATTERN_DIMENSIONS.map((dimension) => {
    const rows: PatternRow[] = [];
    for (const [k, c] of current) {
      if (!k.startsWith(`${dimension}\u0000`) || (c.flagged === 0 && c.fraud === 0)) continue;
      const [, text, isNull] = k.split('\u0000');
      rows.push(rowOf(isNull === 'true' ? null : text!, c, baseline.get(k)));
    }
    const strength = (r: PatternRow): number => Math.max(r.flagged_ratio ?? 0, r.fraud_ratio ?? 0);
    rows.sort(
      (a, b) =>
        LEVELS.indexOf(b.risk) - LEVELS.indexOf(a.risk) ||
        strength(b) - strength(a) ||
        b.current.flagged - a.current.flagged,
    );
    return { dimension, rows: rows.slice(0, TOP_VALUES) };
  });
  // Every decision has exactly one amount band: its totals are the window's.
  const total = (m: Map<string, Counts>): Counts => {
    const t = { decisions: 0, flagged: 0, fraud: 0 };
    for (const [k, c] of m) {
      if (!k.startsWith('amount_band\u0000')) continue;
      t.decisions += c.decisions;
      t.flagged += c.flagged;
      t.fraud += c.fraud;
    }
    return t;
  };
  const overall = rowOf('all', total(current), total(baseline));
  const risk = dimensions
    .flatMap((d) => d.rows.map((r) => r.risk))
    .concat(overall.risk)
    .reduce<RiskLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), 'low');
  const iso = (t: number): string => new Date(t).toISOString();
  return {
    generated_at: iso(now),
    current: { from: iso(split), to: iso(to), ms: currentMs },
    baseline: { from: iso(from), to: iso(split), ms: baselineMs },
    risk_rule: RISK_RULE_TEXT,
    risk,
    overall,
    dimensions,
  };
}
