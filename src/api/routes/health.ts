/** GET /health (components and overall state), /health/live, /health/ready. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Reply } from '../response-schemas.ts';
import { overallHealth, type DecisionService } from '../../service/decision-service.ts';

const started = Date.now();

const tags = ['operations'];
const HEALTH_DOCS = {
  health: {
    summary: 'Health of each component and overall (healthy, degraded, unhealthy)',
    tags,
    response: {
      200: { description: 'Healthy or degraded', ...Reply({ status: Type.String(), components: Reply({}) }) },
      503: { description: 'Unhealthy', ...Reply({ status: Type.String(), components: Reply({}) }) },
    },
  },
  live: {
    summary: 'Liveness probe: the process answers',
    tags,
    response: { 200: { description: 'Alive', ...Reply({ status: Type.String() }) } },
  },
  ready: {
    summary: 'Readiness probe: the database answers',
    tags,
    response: {
      200: { description: 'Ready', ...Reply({ ready: Type.Boolean(), database: Type.Boolean() }) },
      503: { description: 'Not ready', ...Reply({ ready: Type.Boolean(), database: Type.Boolean() }) },
    },
  },
};

export function healthRoutes(app: FastifyInstance, service: DecisionService, version: string): void {
  app.get('/health', { schema: HEALTH_DOCS.health }, async (_request, reply) => {
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
  app.get('/health/live', { schema: HEALTH_DOCS.live }, async () => ({ status: 'alive' }));
  app.get('/health/ready', { schema: HEALTH_DOCS.ready }, async (_request, reply) => {
    const database = await service.store.ping();
    return reply.status(database ? 200 : 503).send({ ready: database, database });
  });
}
