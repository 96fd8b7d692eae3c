/** GET /health (components and overall state), /health/live, /health/ready. */
import type { FastifyInstance } from 'fastify';
import type { DecisionService } from '../../service/decision-service.ts';

const started = Date.now();

export function healthRoutes(app: FastifyInstance, service: DecisionService, version: string): void {
  app.get('/health', async (_request, reply) => {
    const database = await service.store.ping();
    const models = service.engine.modelCount;
    const featureStore = service.sharedState === null ? null : await service.sharedState.ping();
    const components = {
      api: { status: 'healthy' },
      database: { status: database ? 'healthy' : 'unhealthy', kind: service.store.kind },
      model: { status: models > 0 ? 'healthy' : 'degraded', models },
      rules: { status: 'healthy', version: service.engine.rulesVersion },
      // Shared account state (Redis): while it is down, decisions go on, on fresh features, marked degraded.
      feature_store:
        featureStore === null
          ? { status: 'healthy', kind: 'in_process' }
          : { status: featureStore ? 'healthy' : 'degraded', kind: 'redis' },
    };
    const bypass = service.engine.decisionSettings.bypass;
    const status = !database
      ? 'unhealthy'
      : models === 0 || bypass || featureStore === false
        ? 'degraded'
        : 'healthy';
    return reply.status(status === 'unhealthy' ? 503 : 200).send({
      status,
      components,
      bypass,
      timestamp: new Date().toISOString(),
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      version,
    });
  });
  app.get('/health/live', async () => ({ status: 'alive' }));
  app.get('/health/ready', async (_request, reply) => {
    const database = await service.store.ping();
    return reply.status(database ? 200 : 503).send({ ready: database, database });
  });
}
