/**
 * The reports as one self-contained HTML page: inline styles and inline SVG charts, no script, no link to fetch,
 * so it reads the same opened from disk or mailed. The tables carry every figure; the charts only show them.
 */
import { OUTCOMES } from '../engine/decision.ts';
import type { PatternReport } from './pattern-report.ts';
import { patternTables, weeklyTables, type TextTable } from './report-text.ts';
import { bars, escapeHtml, groupedBars, lines, stackedBars } from './svg-charts.ts';
import type { WeeklyReport } from './weekly-report.ts';

const STYLE = `body{font-family:Arial,Helvetica,sans-serif;color:#222;max-width:960px;margin:16px auto;padding:0 12px}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f2f2f2}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
p.note{color:#555;font-size:13px}.risk-high{color:#c62828;font-weight:bold}.risk-medium{color:#ef6c00;font-weight:bold}`;

function table(t: TextTable, riskColumn = -1): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map(
      (row) =>
        `<tr>${row
          .map((c, i) => {
            const cls = i === riskColumn ? ` class="risk-${escapeHtml(c)}"` : '';
            return `<td${cls}>${escapeHtml(c)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const note = t.note ? `<p class="note">${escapeHtml(t.note)}</p>` : '';
  const content = t.rows.length === 0 ? '<p>(none)</p>' : `<table>${head}${body}</table>`;
  return `<h2>${escapeHtml(t.title)}</h2>${note}${content}`;
}

function page(title: string, intro: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(intro)}</p>
${body}
</body></html>
`;
}

export function weeklyHtml(report: WeeklyReport): string {
  const c = report.current;
  const p = report.previous;
  const [summary, ...rest] = weeklyTables(report);
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const charts = [
    stackedBars(
      `Decisions per day by outcome, ${c.week}`,
      c.per_day.map((d) => d.date.slice(5)),
      OUTCOMES.map((o) => ({ name: o, values: c.per_day.map((d) => d[o]) })),
    ),
    lines('Decisions per weekday against the week before', weekdays, [
      { name: c.week, values: c.per_day.map((d) => d.decisions) },
      { name: p.week, values: p.per_day.map((d) => d.decisions) },
    ]),
    bars(
      'Review backlog by age (days)',
      c.backlog.by_age.map((a) => a.age),
      c.backlog.by_age.map((a) => a.cases),
    ),
  ];
  return page(
    `fraudwatch weekly report ${c.week}`,
    `${c.from} to ${c.to}${c.complete ? '' : ' (week under way)'}, against ${p.week}. Labels known at ${report.labels_known_at}. Generated ${report.generated_at}.`,
    [table(summary!), ...charts.map((svg) => `<div>${svg}</div>`), ...rest.map((t) => table(t))].join('\n'),
  );
}

const percentOf = (rate: number | null): number => (rate === null ? 0 : Math.round(rate * 1000) / 10);

export function patternHtml(report: PatternReport): string {
  const tables = patternTables(report);
  const body = tables.map((t, i) => {
    const rows = i === 0 ? [report.overall] : (report.dimensions[i - 1]?.rows ?? []);
    const chart =
      rows.length === 0 || i === 0
        ? ''
        : `<div>${groupedBars(
            `${t.title}: flagged rate (%), current window and baseline`,
            rows.map((r) => r.value ?? '(none)'),
            [
              { name: 'current', values: rows.map((r) => percentOf(r.current.flagged_rate)) },
              { name: 'baseline', values: rows.map((r) => percentOf(r.baseline.flagged_rate)) },
            ],
          )}</div>`;
    return table(t, 10) + chart;
  });
  return page(
    `fraudwatch fraud patterns: risk ${report.risk}`,
    `Current window ${report.current.from} to ${report.current.to}, baseline ${report.baseline.from} to ${report.baseline.to}. Risk rule: ${report.risk_rule}.`,
    body.join('\n'),
  );
}
