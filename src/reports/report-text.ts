/**
 * The figures of both reports as rows of text, shared by the Markdown and HTML renderings so they cannot say
 * different things: one table = a title, a header and rows of cells.
 */
import { OUTCOMES } from '../engine/decision.ts';
import type { PatternReport, PatternRow } from './pattern-report.ts';
import type { RuleFigures, WeekFigures, WeeklyReport } from './weekly-report.ts';

export interface TextTable {
  title: string;
  header: string[];
  rows: string[][];
  /** A sentence under the title. */
  note?: string;
}

export const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x: number): string => x.toLocaleString('en-US');
const money = (x: number): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ms = (x: number | null): string => (x === null ? '–' : `${x} ms`);

/** The change from `before` to `now`: relative for counts, in points for rates. */
function change(now: number | null, before: number | null, rate = false): string {
  if (now === null || before === null) return '–';
  if (rate) {
    const points = (now - before) * 100;
    return `${points >= 0 ? '+' : ''}${points.toFixed(1)} pt`;
  }
  if (before === 0) return now === 0 ? '0' : 'new';
  const r = ((now - before) / before) * 100;
  return `${r >= 0 ? '+' : ''}${r.toFixed(0)} %`;
}

function blockedTotal(w: WeekFigures): string {
  return w.blocked.amounts.length === 0
    ? '0'
    : w.blocked.amounts.map((a) => `${money(a.amount)} ${a.currency || '(none)'}`).join(', ');
}

function summaryTable(c: WeekFigures, p: WeekFigures): TextTable {
  const count = (label: string, a: number, b: number): string[] => [label, num(a), num(b), change(a, b)];
  const rate = (label: string, a: number | null, b: number | null): string[] => [
    label,
    pct(a),
    pct(b),
    change(a, b, true),
  ];
  return {
    title: 'Summary',
    header: ['figure', c.week + (c.complete ? '' : ' (so far)'), p.week, 'change'],
    rows: [
      count('decisions', c.decisions, p.decisions),
      ...OUTCOMES.map((o) => count(`  ${o}`, c.outcomes[o], p.outcomes[o])),
      rate('alert rate (flagged / decisions)', c.alert_rate, p.alert_rate),
      count('reviewed cases with a label', c.reviewed.labelled, p.reviewed.labelled),
      count('  confirmed fraud', c.reviewed.fraud, p.reviewed.fraud),
      count('  legitimate', c.reviewed.legit, p.reviewed.legit),
      rate('precision of alerts', c.reviewed.precision, p.reviewed.precision),
      count('fraud labels', c.missed_fraud.fraud_labels, p.missed_fraud.fraud_labels),
      count('  missed (approved)', c.missed_fraud.approved, p.missed_fraud.approved),
      rate('false negative rate', c.missed_fraud.false_negative_rate, p.missed_fraud.false_negative_rate),
      count('blocked decisions', c.blocked.decisions, p.blocked.decisions),
      ['amount blocked', blockedTotal(c), blockedTotal(p), ''],
      count('review backlog at the end', c.backlog.open, p.backlog.open),
      ['  oldest open case', c.backlog.oldest_date ?? '–', p.backlog.oldest_date ?? '–', ''],
      ['scoring latency p50', ms(c.scoring_latency_ms.p50), ms(p.scoring_latency_ms.p50), ''],
      ['scoring latency p95', ms(c.scoring_latency_ms.p95), ms(p.scoring_latency_ms.p95), ''],
      ['scoring latency p99', ms(c.scoring_latency_ms.p99), ms(p.scoring_latency_ms.p99), ''],
    ],
    note: `Scoring latency: ${c.scoring_latency_ms.note}.`,
  };
}

function rulesTable(title: string, rules: RuleFigures[], note: string): TextTable {
  return {
    title,
    header: ['rule', 'hits', 'labelled', 'fraud', 'precision'],
    rows: rules.map((r) => [r.rule, num(r.hits), num(r.labelled), num(r.fraud), pct(r.precision)]),
    note,
  };
}

export function weeklyTables(report: WeeklyReport): TextTable[] {
  const c = report.current;
  const p = report.previous;
  return [
    summaryTable(c, p),
    {
      title: 'Decisions per day',
      header: ['date', 'decisions', ...OUTCOMES],
      rows: c.per_day.map((d) => [d.date, num(d.decisions), ...OUTCOMES.map((o) => num(d[o]))]),
    },
    {
      title: 'Review backlog by age',
      header: ['age (UTC days since decision)', c.week, p.week],
      rows: c.backlog.by_age.map((a, i) => [a.age, num(a.cases), num(p.backlog.by_age[i]?.cases ?? 0)]),
      note: `Cases (review, block and review) without a known label at ${c.backlog.at}.`,
    },
    rulesTable(
      'Top rules by hits',
      c.rules_by_hits,
      'Decisions each rule fired on; precision over those with a label.',
    ),
    rulesTable(
      'Top rules by precision',
      c.rules_by_precision,
      'Rules with at least 5 labelled decisions this week.',
    ),
    {
      title: 'Model versions in force',
      header: ['model version', c.week, p.week],
      rows: [...new Set([...c.models, ...p.models].map((m) => m.model_version))].map((v) => [
        v ?? '(no model)',
        num(c.models.find((m) => m.model_version === v)?.decisions ?? 0),
        num(p.models.find((m) => m.model_version === v)?.decisions ?? 0),
      ]),
    },
  ];
}

const ratio = (x: number | null, base: number | null): string =>
  x === null ? (base === 0 || base === null ? 'new' : '–') : `${x.toFixed(2)}x`;

function patternRow(r: PatternRow): string[] {
  return [
    r.value ?? '(none)',
    num(r.current.decisions),
    num(r.current.flagged),
    pct(r.current.flagged_rate),
    pct(r.baseline.flagged_rate),
    r.current.flagged === 0 ? '–' : ratio(r.flagged_ratio, r.baseline.flagged_rate),
    num(r.current.fraud),
    pct(r.current.fraud_rate),
    pct(r.baseline.fraud_rate),
    r.current.fraud === 0 ? '–' : ratio(r.fraud_ratio, r.baseline.fraud_rate),
    r.risk,
    r.rule,
  ];
}

const PATTERN_HEADER = [
  'value',
  'decisions',
  'flagged',
  'flagged rate',
  'baseline',
  'ratio',
  'fraud',
  'fraud rate',
  'baseline',
  'ratio',
  'risk',
  'why',
];

export function patternTables(report: PatternReport): TextTable[] {
  return [
    { title: 'All decisions', header: PATTERN_HEADER, rows: [patternRow(report.overall)] },
    ...report.dimensions.map((d) => ({
      title: `By ${d.dimension.replace('_', ' ')}`,
      header: PATTERN_HEADER,
      rows: d.rows.map(patternRow),
      ...(d.rows.length === 0
        ? { note: 'Nothing flagged or confirmed as fraud in the current window.' }
        : {}),
    })),
  ];
}
