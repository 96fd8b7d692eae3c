/**
 * The HTTP application, assembled in one place so tests build exactly what `serve` will run. Routes are thin:
 * they translate HTTP to the DecisionService and the store, and errors to JSON through one handler.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { DecisionService } from '../service/decision-service.ts';
import { registerAuth } from './auth.ts';
import { errorHandler } from './errors.ts';
import { anomalyRoutes } from './routes/anomalies.ts';
import { healthRoutes } from './routes/health.ts';
import { ruleRoutes } from './routes/rules.ts';
import { settingsRoutes } from './routes/settings.ts';
import { transactionRoutes } from './routes/transactions.ts';

export interface AppOptions {
  service: DecisionService;
  version?: string;
  logger?: boolean;
  /** Largest request body accepted, bytes. */
  bodyLimit?: number;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1 << 20 });
  app.setErrorHandler(errorHandler);
  registerAuth(app, options.service.store);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}`, details: [] });
  });
  transactionRoutes(app, options.service);
  anomalyRoutes(app, options.service);
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
    app.get('/metrics', async (_request, reply) => {
      metrics.bypass.set(options.service.engine.decisionSettings.bypass ? 1 : 0);
      return reply.header('content-type', metrics.contentType).send(await metrics.text());
    });
  }
  ruleRoutes(app, options.service);
  settingsRoutes(app, options.service);
  healthRoutes(app, options.service, options.version ?? '0.1.0');
  return app;
}
