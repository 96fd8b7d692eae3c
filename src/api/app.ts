/**
 * The HTTP application, assembled in one place so tests build exactly what `serve` will run. Routes are thin:
 * they translate HTTP to the DecisionService and the store, and errors to JSON through one handler.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { DecisionService } from '../service/decision-service.ts';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerAuth, type JwtConfig } from './auth.ts';
import { errorHandler } from './errors.ts';
import { addInputKeywords, NoQuery } from './input-schema.ts';
import { registerJsonBodies } from './json-body.ts';
import { API_TAGS, ErrorReplySchema, routeDocumenter, SECURITY_SCHEMES } from './route-docs.ts';
import { registerRateLimit } from './rate-limit.ts';
import {
  DEFAULT_HTTP_LIMITS,
  httpServerOptions,
  registerRequestLimits,
  type HttpLimits,
} from './request-limits.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { failedSignInAudit } from './sign-in-audit.ts';
import { accountRoutes } from './routes/accounts.ts';
import { anomalyRoutes } from './routes/anomalies.ts';
import { healthRoutes } from './routes/health.ts';
import { labelRoutes } from './routes/labels.ts';
import { modelDriftRoutes } from './routes/model-drift.ts';
import { modelRoutes } from './routes/models.ts';
import { modelTrainingRoutes } from './routes/model-training.ts';
import { overviewRoutes } from './routes/overview.ts';
import { reportRoutes } from './routes/reports.ts';
import { queueRoutes } from './routes/queues.ts';
import { caseRoutes } from './routes/cases.ts';
import { ruleRoutes } from './routes/rules.ts';
import { settingsRoutes } from './routes/settings.ts';
import { snoozeRoutes } from './routes/snoozes.ts';
import { transactionRoutes } from './routes/transactions.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { SecretSealer } from '../webhooks/webhook-secrets.ts';
import { frameworkErrors, ROUTER_OPTIONS } from './url-input.ts';

export interface AppOptions {
  service: DecisionService;
  version?: string;
  /** Request logs (pino): each request at `info`; false or absent logs nothing. */
  logger?: boolean | { level: string };
  /** Largest request body accepted, bytes. */
  bodyLimit?: number;
  /** Requests per minute per authenticated caller. Default 1,000,000 (a busy checkout key). */
  rateLimitPerMinute?: number;
  /** Requests per minute per client address without a valid credential. Default 6,000. */
  anonymousRateLimitPerMinute?: number;
  /**
   * Proxies whose `X-Forwarded-For` names the client (addresses or CIDRs, Fastify's `trustProxy`); without it
   * the client is the peer address and the header is ignored.
   */
  trustProxy?: string[];
  /** The rate limit's clock (tests hold it still); default Date.now. */
  rateLimitClock?: () => number;
  /** Origins allowed by CORS; none by default. */
  corsOrigins?: string[];
  /** Accept bearer tokens too (HS256 secret or a JWKS). */
  jwt?: JwtConfig;
  /** Timeouts and URL length (DEFAULT_HTTP_LIMITS for what is not given). */
  httpLimits?: Partial<HttpLimits>;
  /** The built dashboard served at `/`; default web/dist of this package (built by `npm ci`). */
  dashboardDir?: string;
  /** Seals webhook secrets (serve: the process's master key); default a key that lives as long as the app. */
  webhookSecrets?: SecretSealer;
}

/** Never rate limited: an orchestrator's probes and the metrics scrape must not fail because a client is busy. */
const PROBES = ['/health/live', '/health/ready', '/metrics'];

export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** What the API's routes use (the plugin allows only GET, HEAD and POST unless told). */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** What a browser client sends: a JSON body and an API key or a bearer token. */
export const CORS_HEADERS = ['content-type', 'x-api-key', 'authorization'];

/** The page at `/` when the dashboard was not built (installed with --ignore-scripts, say). */
const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>fraudwatch</title>
<p>The dashboard is not built. Run <code>npm run build:web</code>, then reload. The API is at
<a href="/api/docs">/api/docs</a>.</p>`;

export function buildApp(options: AppOptions): FastifyInstance {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.httpLimits };
  const routePatterns = new Set<string>();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1 << 20,
    ...httpServerOptions(limits),
    routerOptions: ROUTER_OPTIONS,
    frameworkErrors: frameworkErrors(routePatterns),
    // Unknown fields are refused by name, never dropped (ajv's removeAdditional would drop them silently);
    // verbose errors carry the schema and value the messages name.
    ajv: { plugins: [addInputKeywords], customOptions: { removeAdditional: false, verbose: true } },
    trustProxy:
      options.trustProxy !== undefined && options.trustProxy.length > 0 ? options.trustProxy : false,
  });
  app.addHook('onRoute', (route) => void routePatterns.add(route.url));
  // An API route that declares no query parameters takes none: one given is refused by name, not ignored.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/')) (route.schema ??= {}).querystring ??= NoQuery;
  });
  app.addHook('onRoute', routeDocumenter(PROBES));
  app.addSchema(ErrorReplySchema);
  // Response schemas document; answers are serialized as before, so a field a schema leaves out is still sent.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(errorHandler);
  registerJsonBodies(app);
  registerSecurityHeaders(app);
  registerRequestLimits(app, limits);
  // Without an allow-list no origin is allowed, and the plugin would only cost every request its time.
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0)
    void app.register(cors, {
      origin: options.corsOrigins,
      methods: CORS_METHODS,
      allowedHeaders: CORS_HEADERS,
    });
  const rateLimit = registerRateLimit(app, {
    perCaller: options.rateLimitPerMinute ?? 1_000_000,
    perAddress: options.anonymousRateLimitPerMinute ?? 6_000,
    windowMs: 60_000,
    exempt: PROBES,
    now: options.rateLimitClock,
  });
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'fraudwatch API',
        version: options.version ?? '0.1.0',
        description:
          'Real-time fraud decisions and case review. Every error answer has the shape ErrorReply; ' +
          'bodies are JSON, and unknown fields or query parameters are refused by name (docs/api.md).',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      tags: API_TAGS,
    },
    // Shared schemas keep their names ($id) in components.schemas rather than def-0, def-1.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  void app.register(swaggerUi, { routePrefix: '/api/docs' });
  registerAuth(app, options.service.store, options.jwt, {
    count: rateLimit.count,
    refused: failedSignInAudit(options.service.store),
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}`, details: [] });
  });
  const dashboard = options.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  if (existsSync(dashboard)) {
    void app.register(fastifyStatic, {
      root: dashboard,
      prefix: '/',
      wildcard: false,
      // Asset names carry a content hash, so they may be cached; the page naming them must not be.
      setHeaders: (reply, path) =>
        reply.header(
          'cache-control',
          path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        ),
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html').send(NOT_BUILT),
    );
  }
  const metrics = options.service.metrics;
  if (metrics !== null) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeHttp(
        request.method,
        request.routeOptions.url ?? 'unknown',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      if (reply.statusCode >= 500) metrics.errors.inc({ kind: 'http_5xx' });
    });
  }
  // Routes go in a plugin registered after the others, so rate limits and the OpenAPI document see every route.
  void app.register(async (api) => {
    transactionRoutes(api, options.service);
    anomalyRoutes(api, options.service);
    accountRoutes(api, options.service);
    ruleRoutes(api, options.service);
    settingsRoutes(api, options.service);
    snoozeRoutes(api, options.service);
    modelRoutes(api, options.service);
    labelRoutes(api, options.service);
    modelTrainingRoutes(api, options.service);
    modelDriftRoutes(api, options.service);
    overviewRoutes(api, options.service);
    reportRoutes(api, options.service);
    webhookRoutes(api, options.service, options.webhookSecrets ?? SecretSealer.ephemeral());
    queueRoutes(api, options.service);
    caseRoutes(api, options.service);
    healthRoutes(api, options.service, options.version ?? '0.1.0');
    if (metrics !== null) {
      const metricsDocs = {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['operations'],
        response: {
          200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      };
      api.get('/metrics', { schema: metricsDocs }, async (_request, reply) => {
        metrics.bypass.set(options.service.engine.decisionSettings.bypass ? 1 : 0);
        return reply.header('content-type', metrics.contentType).send(await metrics.text());
      });
    }
  });
  return app;
}
