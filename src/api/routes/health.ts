/** GET /health (components and overall state), /health/live, /health/ready. */
import type { FastifyInstance } from 'fastify';
import { overallHealth, type DecisionService } from '../../service/decision-service.ts';

const started = Date.now();

export function healthRoutes(app: FastifyInstance, service: DecisionService, version: string): void {
  app.get('/health', async (_request, reply) => {
    const shared = await service.componentHealth();
    const components = {
      api: { status: 'healthy' },
      ...shared,
      rules: { status: 'healthy', version: service.engine.rulesVersion },
    };
    const bypass = service.engine.decisionSettings.bypass;
    const status = overallHealth(
      Object.values(components).map((c) => c.status),
      bypass,
    );
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
