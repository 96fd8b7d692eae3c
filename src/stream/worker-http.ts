/**
 * /health, /health/live and /metrics of a stream worker, on a port of its own (the API's routes are not served by
 * workers). Health reports the stream (consumer lag, circuit breaker), the database and the models.
 */
import { createServer, type Server } from 'node:http';
import { overallHealth, type DecisionService } from '../service/decision-service.ts';
import type { StreamWorker } from './stream-worker.ts';

/** The seeds' runbooks alert when lag stays above this. */
export const LAG_ALERT = 1000;

export async function workerHealth(worker: StreamWorker, service: DecisionService) {
  let lag: number | null;
  try {
    lag = await worker.lag();
  } catch {
    lag = null;
  }
  const breaker = worker.breaker.state;
  const stream =
    lag === null ? 'unhealthy' : breaker !== 'closed' || lag > LAG_ALERT ? 'degraded' : 'healthy';
  const shared = await service.componentHealth();
  const status = overallHealth([stream, ...Object.values(shared).map((c) => c.status)]);
  service.metrics?.streamLag.set(lag ?? 0);
  service.metrics?.circuitOpen.set(breaker === 'open' ? 1 : 0);
  return {
    status,
    components: {
      stream: {
        status: stream,
        lag,
        circuit_breaker: breaker,
        partitions: worker.partitions,
        ...worker.stats,
      },
      ...shared,
    },
    timestamp: new Date().toISOString(),
  };
}

export function startWorkerHttp(
  worker: StreamWorker,
  service: DecisionService,
  port: number,
  host = '127.0.0.1',
): Promise<Server> {
  const server = createServer((request, response) => {
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    void (async () => {
      try {
        if (request.url === '/health/live') return send(200, 'application/json', '{"status":"alive"}');
        if (request.url === '/health') {
          const health = await workerHealth(worker, service);
          return send(health.status === 'unhealthy' ? 503 : 200, 'application/json', JSON.stringify(health));
        }
        if (request.url === '/metrics' && service.metrics !== null) {
          await workerHealth(worker, service); // refreshes the lag and breaker gauges
          return send(200, service.metrics.contentType, await service.metrics.text());
        }
        send(
          404,
          'application/json',
          JSON.stringify({ error: 'not_found', message: `no route ${request.url}` }),
        );
      } catch (e) {
        send(500, 'application/json', JSON.stringify({ error: 'internal', message: (e as Error).message }));
      }
    })();
  });
  // A port in use is the caller's to report (one line at start-up), not an uncaught 'error' event.
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
