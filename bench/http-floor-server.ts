/**
 * The floor of `bench http`: Fastify with no plugins, hooks, store or engine, answering every POST with a
 * decision-shaped JSON built from the request's id. Whatever latency and CPU this costs on a machine, the real
 * server cannot go below it there. Started by bench/http.ts (`bench http --store floor`), not by hand:
 *   node --import tsx bench/http-floor-server.ts PORT
 */
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.post('/api/v1/transactions', async (request, reply) => {
  const id = (request.body as { transaction_id?: unknown }).transaction_id;
  return reply.status(201).send({
    transaction_id: id,
    decision: {
      transaction_id: id,
      score: 0,
      outcome: 'approve',
      reasons: [],
      bypassed: false,
      degraded: false,
    },
    duplicate: false,
  });
});
await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on ${port}`);
