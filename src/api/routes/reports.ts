/**
 * The weekly report and the fraud-pattern report (docs/reports.md) over HTTP: the same figures as
 * `fraudwatch report`, as JSON (default), a self-contained HTML page to download or mail, or Markdown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { parseDuration } from '../../cli/options.ts';
import { parseWeek } from '../../reports/iso-week.ts';
import { patternReport } from '../../reports/pattern-report.ts';
import { patternHtml, weeklyHtml } from '../../reports/render-html.ts';
import { patternMarkdown, weeklyMarkdown } from '../../reports/render-markdown.ts';
import { weeklyReport } from '../../reports/weekly-report.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { OneOf, Text } from '../input-schema.ts';
import { Reply } from '../response-schemas.ts';

const FORMATS = ['json', 'html', 'md'] as const;
type Format = (typeof FORMATS)[number];
const HOUR = 3_600_000;
/** The longest pattern window: the store keeps what retention leaves, and a year is plenty to compare with. */
const MAX_WINDOW_MS = 366 * 24 * HOUR;

const formatParam = Type.Optional(
  OneOf(FORMATS, { description: 'json (default), html (self-contained, inline SVG charts) or md' }),
);

function send(
  reply: FastifyReply,
  format: Format,
  name: string,
  json: unknown,
  html: string,
  md: string,
): unknown {
  if (format === 'json') return json;
  if (format === 'html')
    return reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.html"`)
      .send(html);
  return reply.type('text/markdown; charset=utf-8').send(md);
}

function durationParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parseDuration(value);
  if ('error' in parsed) throw badRequest([{ path: name, message: parsed.error }]);
  if (parsed.ms <= 0 || parsed.ms > MAX_WINDOW_MS)
    throw badRequest([{ path: name, message: 'must be longer than 0 and at most 366d' }]);
  return parsed.ms;
}

export function reportRoutes(app: FastifyInstance, service: DecisionService): void {
  app.get(
    '/api/v1/reports/weekly',
    {
      config: { roles: ROUTE_ROLES.readReports },
      schema: {
        summary:
          'The weekly report: a week (ISO, UTC) against the week before; latency from this process where it has it',
        tags: ['reports'],
        querystring: Type.Object(
          {
            week: Type.Optional(Text(16, 1)),
            format: formatParam,
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description:
              'The report (JSON; with format=html a text/html attachment, with format=md text/markdown)',
            ...Reply({ generated_at: Type.String(), current: Reply({}), previous: Reply({}) }),
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { week?: string; format?: Format };
      const now = service.now();
      const week = parseWeek(q.week ?? 'last', now);
      if ('error' in week) throw badRequest([{ path: 'week', message: week.error }]);
      const report = await weeklyReport(service.store, week.start, now, service.latency);
      const name = `fraudwatch-weekly-${report.current.week}`;
      return send(reply, q.format ?? 'json', name, report, weeklyHtml(report), weeklyMarkdown(report));
    },
  );

  app.get(
    '/api/v1/reports/patterns',
    {
      config: { roles: ROUTE_ROLES.readReports },
      schema: {
        summary:
          'What changed in flagged and confirmed fraud by category, country, channel, hour, amount, merchant, device',
        tags: ['reports'],
        querystring: Type.Object(
          {
            current: Type.Optional(Text(16, 1)),
            baseline: Type.Optional(Text(16, 1)),
            format: formatParam,
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description:
              'The report (JSON; with format=html a text/html attachment, with format=md text/markdown)',
            ...Reply({ risk: OneOf(['low', 'medium', 'high'] as const), risk_rule: Type.String() }),
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { current?: string; baseline?: string; format?: Format };
      const current = durationParam('current', q.current, HOUR);
      const baseline = durationParam('baseline', q.baseline, 7 * 24 * HOUR);
      const now = service.now();
      const report = await patternReport(service.store, now, current, baseline);
      const name = `fraudwatch-patterns-${new Date(now).toISOString().slice(0, 16).replace(':', '')}`;
      return send(reply, q.format ?? 'json', name, report, patternHtml(report), patternMarkdown(report));
    },
  );
}
