/**
 * SQL behind the weekly and fraud-pattern reports (docs/reports.md), written once for both stores: each dialect
 * only says how it reads a JSON field, so the two cannot group differently. Everything here is a GROUP BY over
 * decisions made in a time range (the `transactions_decided` index), never a row per decision to the caller.
 */
import type { DecisionBreakdown, PatternCount, PatternDimension } from './types.ts';

/** How a dialect reads the stored JSON documents. */
export interface ReportDialect {
  /** The stored JSON text of `column` parsed once, for `field` to read several fields of. */
  parsed(column: string): string;
  /** A text field of a JSON column (`payload`, `decision`, or a row alias). */
  field(column: string, name: string): string;
  /** A table expression of the rule reasons of each decision of `t`: one row `r` per reason. */
  reasons: string;
  /** The text field `name` of a reason row `r`. */
  reasonField(name: string): string;
}

export const SQLITE_REPORT_DIALECT: ReportDialect = {
  parsed: (column) => column,
  field: (column, name) => `json_extract(${column}, '$.${name}')`,
  reasons: `json_each(t.decision, '$.reasons') r`,
  reasonField: (name) => `json_extract(r.value, '$.${name}')`,
};

export const POSTGRES_REPORT_DIALECT: ReportDialect = {
  parsed: (column) => `(${column})::jsonb`,
  field: (column, name) => `((${column})::jsonb ->> '${name}')`,
  reasons: `jsonb_array_elements((t.decision)::jsonb -> 'reasons') r`,
  reasonField: (name) => `(r ->> '${name}')`,
};

/** Amount bands of the pattern report: [label, lower bound inclusive]; each band ends where the next starts. */
export const AMOUNT_BANDS: readonly (readonly [string, number])[] = [
  ['<10', 0],
  ['10-50', 10],
  ['50-200', 50],
  ['200-1000', 200],
  ['1000-5000', 1000],
  ['>=5000', 5000],
];

/** The band of an amount, as the SQL below computes it. */
export function amountBand(amount: number): string {
  let band = AMOUNT_BANDS[0]![0];
  for (const [label, lower] of AMOUNT_BANDS) if (amount >= lower) band = label;
  return band;
}

const HOUR_MS = 3_600_000;

/** The hour of day (UTC) of a transaction time, as the SQL below computes it: "00" to "23". */
export function hourOfDay(timestamp: number): string {
  return String(Math.floor(timestamp / HOUR_MS) % 24).padStart(2, '0');
}

function bandSql(column: string): string {
  const cases = AMOUNT_BANDS.slice(1)
    .reverse()
    .map(([label, lower]) => `WHEN ${column} >= ${lower} THEN '${label}'`)
    .join(' ');
  return `CASE ${cases} ELSE '${AMOUNT_BANDS[0]![0]}' END`;
}

/** Each dimension's value expression over the window's rows `w` (text, NULL when the transaction has none). */
function dimensionColumns(d: ReportDialect): Record<PatternDimension, string> {
  return {
    merchant_category: d.field('p', 'merchant_category'),
    country: d.field('p', 'country'),
    channel: d.field('p', 'channel'),
    hour: `(occurred_at / ${HOUR_MS}) % 24`,
    amount_band: bandSql('amount'),
    merchant: 'merchant_id',
    device: d.field('p', 'device_id'),
  };
}

/**
 * Decisions and flagged decisions per value of every dimension, over decisions made in [$1, $2): the window's rows
 * are read once (a materialised CTE), then grouped once per dimension.
 */
export function patternCountsSql(d: ReportDialect, p: (n: number) => string): string {
  const columns = dimensionColumns(d);
  const names = Object.keys(columns) as PatternDimension[];
  const select = names.map((name) => `${columns[name]} AS ${name}`).join(', ');
  const groups = names.map(
    (name) =>
      `SELECT '${name}' AS dimension, CAST(${name} AS TEXT) AS value, COUNT(*) AS decisions, SUM(flagged) AS flagged FROM w GROUP BY ${name}`,
  );
  return `WITH w AS MATERIALIZED (
      SELECT ${select}, CASE WHEN outcome <> 'approve' THEN 1 ELSE 0 END AS flagged
      FROM (SELECT ${d.parsed('payload')} AS p, merchant_id, occurred_at, amount, outcome FROM transactions
            WHERE decided_at >= ${p(1)} AND decided_at < ${p(2)}) s)
    ${groups.join('\n    UNION ALL ')}`;
}

export function fromPatternRow(row: {
  dimension: string;
  value: string | null;
  decisions: number | string;
  flagged: number | string;
}): PatternCount {
  const dimension = row.dimension as PatternDimension;
  const value = row.value === null ? null : dimension === 'hour' ? row.value.padStart(2, '0') : row.value;
  return { dimension, value, decisions: Number(row.decisions), flagged: Number(row.flagged) };
}

/** The three queries behind DecisionBreakdown, over decisions made in [$1, $2). */
export function breakdownSql(
  d: ReportDialect,
  p: (n: number) => string,
): { blocked: string; rules: string; models: string } {
  const range = `t.decided_at >= ${p(1)} AND t.decided_at < ${p(2)}`;
  return {
    blocked: `SELECT ${d.field('t.payload', 'currency')} AS currency, COUNT(*) AS decisions, SUM(t.amount) AS amount
      FROM transactions t WHERE ${range} AND t.outcome IN ('block_and_review', 'decline')
      GROUP BY currency ORDER BY currency`,
    rules: `SELECT ${d.reasonField('rule')} AS rule, COUNT(DISTINCT t.transaction_id) AS hits
      FROM transactions t, ${d.reasons}
      WHERE ${range} AND ${d.reasonField('kind')} = 'rule'
      GROUP BY rule ORDER BY hits DESC, rule`,
    // the model_version column (migration 11), not the decision JSON: the same value, without parsing
    models: `SELECT t.model_version AS model_version, COUNT(*) AS decisions
      FROM transactions t WHERE ${range} GROUP BY t.model_version ORDER BY decisions DESC, t.model_version`,
  };
}

export function foldBreakdown(
  blocked: { currency: string | null; decisions: number | string; amount: number | string | null }[],
  rules: { rule: string | null; hits: number | string }[],
  models: { model_version: string | null; decisions: number | string }[],
): DecisionBreakdown {
  return {
    blocked: blocked.map((r) => ({
      currency: r.currency ?? '',
      decisions: Number(r.decisions),
      amount: Number(r.amount ?? 0),
    })),
    rules: rules.flatMap((r) => (r.rule === null ? [] : [{ rule: r.rule, hits: Number(r.hits) }])),
    models: models.map((r) => ({ model_version: r.model_version, decisions: Number(r.decisions) })),
  };
}

const DAY_MS = 86_400_000;

/** Cases (review and block-and-review decisions) made in [$1, $2), per UTC day of decision. */
export const CASES_BY_DAY_SQL = (p: (n: number) => string): string =>
  `SELECT (decided_at / ${DAY_MS}) * ${DAY_MS} AS day, COUNT(*) AS cases FROM transactions
    WHERE decided_at >= ${p(1)} AND decided_at < ${p(2)} AND outcome IN ('review', 'block_and_review')
    GROUP BY day ORDER BY day`;

export function fromCasesRow(row: { day: number | string; cases: number | string }): {
  day: number;
  cases: number;
} {
  return { day: Number(row.day), cases: Number(row.cases) };
}
