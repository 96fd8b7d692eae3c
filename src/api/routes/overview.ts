/**
 * What the dashboard's overview shows: decisions over the last hour, day or week (throughput by outcome, alert
 * and confirmed-fraud rates, score histogram) from the store, scoring latency percentiles from this process,
 * and the current bypass/degraded state. Also `GET /api/v1/me`, so a client learns its role from its key.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { OUTCOMES } from '../../engine/decision.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { CASE_STATUSES, SCORE_BINS } from '../../store/types.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { OneOf } from '../input-schema.ts';
import { Reply } from '../response-schemas.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Window length and bucket width: about 60 points per chart. */
export const OVERVIEW_WINDOWS = {
  '1h': { span: HOUR, bucket: 60_000 },
  '24h': { span: 24 * HOUR, bucket: 30 * 60_000 },
  '7d': { span: 7 * 24 * HOUR, bucket: 3 * HOUR },
} as const;
type WindowName = keyof typeof OVERVIEW_WINDOWS;

/** The store returns only buckets that had decisions; a chart needs the quiet ones too, as zeros. */
function everyBucket(
  found: { start: number; counts: number[] }[],
  from: number,
  to: number,
  width: number,
): { start: number; counts: number[] }[] {
  const byStart = new Map(found.map((b) => [b.start, b]));
  const out: { start: number; counts: number[] }[] = [];
  for (let start = Math.floor(from / width) * width; start < to; start += width) {
    out.push(byStart.get(start) ?? { start, counts: OUTCOMES.map(() => 0) });
  }
  return out;
}

export function overviewRoutes(app: FastifyInstance, service: DecisionService): void {
  app.get(
    '/api/v1/me',
    {
      config: { roles: ROUTE_ROLES.whoAmI },
      schema: {
        summary: "The caller's name and role, as its key or token says",
        tags: ['overview'],
        response: {
          200: { description: 'Who is calling', ...Reply({ name: Type.String(), role: Type.String() }) },
        },
      },
    },
    async (request) => ({
      name: request.caller?.name ?? null,
      role: request.caller?.role ?? null,
    }),
  );

  app.get(
    '/api/v1/stats/overview',
    {
      config: { roles: ROUTE_ROLES.readOverview },
      schema: {
        summary: "The dashboard's overview: decisions by outcome, rates, score histogram, scoring latency",
        tags: ['overview'],
        response: {
          200: {
            description: 'The figures of the window',
            ...Reply({ window: Type.String(), total: Type.Integer(), alert_rate: Type.Number() }),
          },
        },
        querystring: Type.Object(
          {
            window: Type.Optional(OneOf(['1h', '24h', '7d'] as const)),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const name: WindowName = (request.query as { window?: WindowName }).window ?? '1h';
      const { span, bucket } = OVERVIEW_WINDOWS[name];
      const to = Date.now() + 1; // up to and including this millisecond
      const from = to - span;
      const [stats, lastMinute] = await Promise.all([
        service.store.decisionStats(from, to, bucket),
        service.store.decisionStats(to - MINUTE, to, MINUTE),
      ]);
      const total = stats.outcomes.reduce((a, b) => a + b, 0);
      const flagged = total - stats.outcomes[0]!;
      const confirmed = stats.statuses[CASE_STATUSES.indexOf('confirmed_fraud')]!;
      const latency = service.latency.percentiles(from, to, [0.5, 0.95, 0.99]);
      const settings = service.engine.decisionSettings;
      const ms = (s: number | null): number | null => (s === null ? null : Math.round(s * 1e6) / 1000);
      return {
        window: name,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucket_seconds: bucket / 1000,
        total,
        // The window's average hides a burst (a demo at 1,200/min read 25/min over the hour): the current rate is
        // the last minute's, and each bucket has its own rate over the part of it the window covers.
        decisions_per_second: total / (span / 1000),
        current_per_minute: lastMinute.outcomes.reduce((a, b) => a + b, 0),
        current_flagged_per_minute: lastMinute.outcomes.reduce((a, b, i) => (i === 0 ? a : a + b), 0),
        outcomes: Object.fromEntries(OUTCOMES.map((o, i) => [o, stats.outcomes[i]])),
        statuses: Object.fromEntries(CASE_STATUSES.map((s, i) => [s, stats.statuses[i]])),
        alert_rate: total === 0 ? 0 : flagged / total,
        confirmed_fraud_rate: total === 0 ? 0 : confirmed / total,
        series: everyBucket(stats.buckets, from, to, bucket).map((b) => {
          const covered = Math.min(to, b.start + bucket) - Math.max(from, b.start);
          const perMinute = (n: number): number => (covered > 0 ? (n * MINUTE) / covered : 0);
          return {
            start: new Date(b.start).toISOString(),
            ...Object.fromEntries(OUTCOMES.map((o, i) => [o, b.counts[i]])),
            covered_seconds: covered / 1000,
            per_minute: perMinute(b.counts.reduce((a, c) => a + c, 0)),
            flagged_per_minute: perMinute(b.counts.reduce((a, c, i) => (i === 0 ? a : a + c), 0)),
          };
        }),
        score_histogram: stats.scores.map((count, i) => ({
          from: i / SCORE_BINS,
          to: (i + 1) / SCORE_BINS,
          count,
        })),
        scoring_latency_ms: {
          decisions: latency.count,
          p50: ms(latency.values[0]!),
          p95: ms(latency.values[1]!),
          p99: ms(latency.values[2]!),
          since: new Date(service.latency.startedAt).toISOString(),
        },
        bypass: settings.bypass,
        degraded: service.engine.modelCount === 0,
        models: service.engine.modelCount,
        rules_version: service.engine.rulesVersion,
      };
    },
  );
}
