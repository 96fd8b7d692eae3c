/** The reports as Markdown: a heading, then each table of report-text.ts. */
import type { PatternReport } from './pattern-report.ts';
import { patternTables, weeklyTables, type TextTable } from './report-text.ts';
import type { WeeklyReport } from './weekly-report.ts';

/** A cell that cannot break the table: pipes escaped, line breaks as spaces. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(t: TextTable): string {
  const lines = [`## ${t.title}`, ''];
  if (t.note) lines.push(t.note, '');
  if (t.rows.length === 0) return [...lines, '(none)', ''].join('\n');
  lines.push(`| ${t.header.map(cell).join(' | ')} |`);
  lines.push(`| ${t.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of t.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return [...lines, ''].join('\n');
}

export function weeklyMarkdown(report: WeeklyReport): string {
  const c = report.current;
  return [
    `# fraudwatch weekly report ${c.week}`,
    '',
    `${c.from} to ${c.to}${c.complete ? '' : ' (week under way)'}, against ${report.previous.week}. ` +
      `Labels known at ${report.labels_known_at}. Generated ${report.generated_at}.`,
    '',
    ...weeklyTables(report).map(table),
  ].join('\n');
}

export function patternMarkdown(report: PatternReport): string {
  return [
    `# fraudwatch fraud patterns: risk ${report.risk}`,
    '',
    `Current window ${report.current.from} to ${report.current.to}, baseline ${report.baseline.from} to ` +
      `${report.baseline.to}. Rates are per decision of the window; fraud = labels known at ${report.generated_at}.`,
    '',
    `Risk rule: ${report.risk_rule}.`,
    '',
    ...patternTables(report).map(table),
  ].join('\n');
}
