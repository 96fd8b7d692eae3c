/**
 * The weekly report (docs/reports.md): a week's decisions against the week before, from the store's GROUP BY
 * queries and the labels known when the report is made (knownLabels: verdicts and, once imported, chargebacks).
 */
import { OUTCOMES, type Outcome } from '../engine/decision.ts';
import type { DecisionStore, StoredTransaction } from '../store/types.ts';
import { knownLabels, type KnownLabel } from '../training/known-labels.ts';
import { DAY_MS, isoDate, WEEK_MS, weekName } from './iso-week.ts';

/** Rules need this many labelled decisions of the week to be ranked by precision. */
export const RULE_PRECISION_MIN_LABELS = 5;
/** Rules listed in each ranking. */
export const TOP_RULES = 10;
/** Open cases older than this at the week's end are left out of the backlog (and counted nowhere). */
export const BACKLOG_HORIZON_MS = 90 * DAY_MS;
/** Backlog age classes, in whole UTC days from the case's day of decision to the week's end: [label, up to]. */
export const BACKLOG_AGES: readonly (readonly [string, number])[] = [
  ['1d', 1],
  ['2-3d', 3],
  ['4-7d', 7],
  ['8-30d', 30],
  ['31-90d', 90],
];

/** Where scoring latency comes from: the serving process's LatencyHistory (the CLI has none). */
export interface LatencySource {
  readonly startedAt: number;
  /** How far back it keeps anything. */
  readonly slots: number;
  percentiles(from: number, to: number, ps: readonly number[]): { count: number; values: (number | null)[] };
}
const LATENCY_SLOT_MS = 5 * 60_000;

export interface RuleFigures {
  rule: string;
  hits: number;
  /** Decisions it fired on that have a known label, and how many of them were fraud. */
  labelled: number;
  fraud: number;
  precision: number | null;
}

export interface WeekFigures {
  week: string;
  from: string;
  to: string;
  /** False for the week still under way: its figures go up to the report's time. */
  complete: boolean;
  decisions: number;
  outcomes: Record<Outcome, number>;
  /** Flagged (any outcome but approve) / decisions. */
  alert_rate: number | null;
  per_day: ({ date: string; decisions: number } & Record<Outcome, number>)[];
  /** Flagged decisions of the week with a known label: confirmed fraud / legitimate, and their precision. */
  reviewed: { labelled: number; fraud: number; legit: number; precision: number | null };
  /** Fraud labels on the week's decisions, how many of them were approved, and that share. */
  missed_fraud: { fraud_labels: number; approved: number; false_negative_rate: number | null };
  /** Block-and-review and decline decisions, their amounts per currency (as sent, not converted). */
  blocked: { decisions: number; amounts: { currency: string; decisions: number; amount: number }[] };
  /** Cases without a known label at the week's end (or now, for the week under way). */
  backlog: { at: string; open: number; oldest_date: string | null; by_age: { age: string; cases: number }[] };
  rules_by_hits: RuleFigures[];
  rules_by_precision: RuleFigures[];
  /** The model versions that decided the week's decisions (null: no model answered). */
  models: { model_version: string | null; decisions: number }[];
  scoring_latency_ms: {
    recorded: boolean;
    decisions: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    /** Where the recorded part starts (the serving process's start, or its seven-day memory). */
    since: string | null;
    note: string;
  };
}

export interface WeeklyReport {
  generated_at: string;
  /** Labels are those known at this time, for both weeks. */
  labels_known_at: string;
  current: WeekFigures;
  previous: WeekFigures;
}

const isFlagged = (o: Outcome): boolean => o !== 'approve';
const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

function latencyOf(
  source: LatencySource | undefined,
  from: number,
  to: number,
): WeekFigures['scoring_latency_ms'] {
  const none = { decisions: 0, p50: null, p95: null, p99: null, since: null };
  if (source === undefined)
    return {
      recorded: false,
      ...none,
      note: 'not recorded: only a serving process measures scoring latency',
    };
  const kept = Math.max(source.startedAt, to - source.slots * LATENCY_SLOT_MS);
  const since = Math.max(from, kept);
  if (since >= to)
    return {
      recorded: false,
      ...none,
      note: 'not recorded: before this process started or past its 7-day memory',
    };
  const { count, values } = source.percentiles(since, to, [0.5, 0.95, 0.99]);
  const ms = (s: number | null): number | null => (s === null ? null : Math.round(s * 1e6) / 1000);
  return {
    recorded: count > 0,
    decisions: count,
    p50: ms(values[0]!),
    p95: ms(values[1]!),
    p99: ms(values[2]!),
    since: new Date(since).toISOString(),
    note:
      since > from
        ? 'this process, from its start (or its 7-day memory) on: part of the week'
        : 'this process, the whole week',
  };
}

function ruleFigures(
  hits: { rule: string; hits: number }[],
  labelled: StoredTransaction[],
  labels: Map<string, KnownLabel>,
): RuleFigures[] {
  const byRule = new Map<string, RuleFigures>(
    hits.map((h) => [h.rule, { rule: h.rule, hits: h.hits, labelled: 0, fraud: 0, precision: null }]),
  );
  for (const row of labelled) {
    const fraud = labels.get(row.transaction.transaction_id)!.fraud;
    const fired = new Set(row.decision.reasons.flatMap((r) => (r.kind === 'rule' ? [r.rule] : [])));
    for (const rule of fired) {
      const figures = byRule.get(rule);
      if (figures === undefined) continue;
      figures.labelled++;
      if (fraud) figures.fraud++;
    }
  }
  for (const f of byRule.values()) f.precision = ratio(f.fraud, f.labelled);
  return [...byRule.values()];
}

/** The backlog at `at`: cases decided in the horizon before it, less those with a label known by then. */
async function backlogAt(store: DecisionStore, at: number): Promise<WeekFigures['backlog']> {
  const from = at - BACKLOG_HORIZON_MS;
  const [byDay, labels] = await Promise.all([store.casesByDay(from, at), knownLabels(store, at)]);
  const open = new Map(byDay.map((d) => [d.day, d.cases]));
  for (const row of await store.transactionsDecidedIn([...labels.keys()], from, at)) {
    if (row.decision.outcome !== 'review' && row.decision.outcome !== 'block_and_review') continue;
    const day = Math.floor(row.decided_at / DAY_MS) * DAY_MS;
    open.set(day, (open.get(day) ?? 0) - 1);
  }
  const days = [...open].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const byAge = BACKLOG_AGES.map(([age]) => ({ age, cases: 0 }));
  for (const [day, n] of days) {
    const age = Math.ceil((at - day) / DAY_MS);
    const i = BACKLOG_AGES.findIndex(([, upTo]) => age <= upTo);
    byAge[i < 0 ? byAge.length - 1 : i]!.cases += n;
  }
  return {
    at: new Date(at).toISOString(),
    open: days.reduce((a, [, n]) => a + n, 0),
    oldest_date: days.length === 0 ? null : isoDate(days[0]![0]),
    by_age: byAge,
  };
}

async function weekFigures(
  store: DecisionStore,
  start: number,
  now: number,
  labels: Map<string, KnownLabel>,
  labelled: StoredTransaction[],
  latency: LatencySource | undefined,
): Promise<WeekFigures> {
  const end = start + WEEK_MS;
  const to = Math.min(end, now + 1); // the week under way: up to and including now
  const [stats, breakdown, backlog] = await Promise.all([
    store.decisionStats(start, to, DAY_MS),
    store.decisionBreakdown(start, to),
    backlogAt(store, to),
  ]);
  const decisions = stats.outcomes.reduce((a, b) => a + b, 0);
  const ofWeek = labelled.filter((r) => r.decided_at >= start && r.decided_at < to);
  const reviewed = { labelled: 0, fraud: 0, legit: 0, precision: null as number | null };
  const missed = { fraud_labels: 0, approved: 0, false_negative_rate: null as number | null };
  for (const row of ofWeek) {
    const fraud = labels.get(row.transaction.transaction_id)!.fraud;
    if (isFlagged(row.decision.outcome)) {
      reviewed.labelled++;
      if (fraud) reviewed.fraud++;
      else reviewed.legit++;
    }
    if (fraud) {
      missed.fraud_labels++;
      if (row.decision.outcome === 'approve') missed.approved++;
    }
  }
  reviewed.precision = ratio(reviewed.fraud, reviewed.labelled);
  missed.false_negative_rate = ratio(missed.approved, missed.fraud_labels);
  const rules = ruleFigures(breakdown.rules, ofWeek, labels);
  const byDay = new Map(stats.buckets.map((b) => [b.start, b.counts]));
  const perDay: WeekFigures['per_day'] = [];
  for (let day = start; day < to; day += DAY_MS) {
    const counts = byDay.get(day) ?? OUTCOMES.map(() => 0);
    perDay.push({
      date: isoDate(day),
      decisions: counts.reduce((a, b) => a + b, 0),
      ...(Object.fromEntries(OUTCOMES.map((o, i) => [o, counts[i]!])) as Record<Outcome, number>),
    });
  }
  return {
    week: weekName(start),
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    complete: end <= now,
    decisions,
    outcomes: Object.fromEntries(OUTCOMES.map((o, i) => [o, stats.outcomes[i]!])) as Record<Outcome, number>,
    alert_rate: ratio(decisions - stats.outcomes[0]!, decisions),
    per_day: perDay,
    reviewed,
    missed_fraud: missed,
    blocked: {
      decisions: breakdown.blocked.reduce((a, b) => a + b.decisions, 0),
      amounts: breakdown.blocked,
    },
    backlog,
    rules_by_hits: rules.slice(0, TOP_RULES),
    rules_by_precision: rules
      .filter((r) => r.labelled >= RULE_PRECISION_MIN_LABELS)
      .sort((a, b) => b.precision! - a.precision! || b.labelled - a.labelled || (a.rule < b.rule ? -1 : 1))
      .slice(0, TOP_RULES),
    models: breakdown.models,
    scoring_latency_ms: latencyOf(latency, start, to),
  };
}

/** The report of the week starting at `weekStart` (a Monday midnight, UTC) and of the week before it. */
export async function weeklyReport(
  store: DecisionStore,
  weekStart: number,
  now: number,
  latency?: LatencySource,
): Promise<WeeklyReport> {
  const labels = await knownLabels(store, now);
  const previousStart = weekStart - WEEK_MS;
  const labelled = await store.transactionsDecidedIn(
    [...labels.keys()],
    previousStart,
    Math.min(weekStart + WEEK_MS, now + 1),
  );
  const [current, previous] = await Promise.all([
    weekFigures(store, weekStart, now, labels, labelled, latency),
    weekFigures(store, previousStart, now, labels, labelled, latency),
  ]);
  const at = new Date(now).toISOString();
  return { generated_at: at, labels_known_at: at, current, previous };
}
