/** POST /api/v1/transactions (score, store, answer) and GET /api/v1/transactions/{id}. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { badRequest, notFound } from '../errors.ts';
import { Id } from '../input-schema.ts';

const MAX_BATCH = 1000;

export function transactionRoutes(app: FastifyInstance, service: DecisionService): void {
  app.post(
    '/api/v1/transactions',
    {
      config: { roles: ROUTE_ROLES.submitTransaction },
      schema: {
        summary: 'Score a transaction and store it with its decision (idempotent on transaction_id)',
        body: Type.Object({}, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const result = await service.decide(request.body);
      switch (result.kind) {
        case 'invalid':
          throw badRequest(result.errors);
        case 'conflict':
          return reply.status(409).send({
            error: 'conflict',
            message: 'transaction_id: already used by a different transaction',
            details: [{ path: 'transaction_id', message: 'already used by a different transaction' }],
          });
        default:
          return reply.status(result.kind === 'created' ? 201 : 200).send({
            transaction_id: result.decision.transaction_id,
            decision: result.decision,
            duplicate: result.kind === 'duplicate',
          });
      }
    },
  );

  app.get(
    '/api/v1/transactions/:id',
    {
      config: { roles: ROUTE_ROLES.readTransaction },
      schema: { params: Type.Object({ id: Id }) },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const stored = await service.store.getTransaction(id);
      if (stored === null) throw notFound(`transaction ${id}`);
      // A person reading a cardholder's transaction is audited (PCI DSS 10.2.1) before the data is sent; the
      // checkout service's own lookups are not, they are its traffic.
      const caller = request.caller;
      if (caller !== null && caller.role !== 'service') {
        await service.store.audit({
          at: Date.now(),
          actor: caller.name,
          action: 'transaction_read',
          transaction_id: id,
          old_value: null,
          new_value: null,
          note: null,
        });
      }
      return stored;
    },
  );

  app.post(
    '/api/v1/transactions/batch',
    {
      config: { roles: ROUTE_ROLES.submitTransaction },
      schema: {
        summary: 'Score up to 1,000 transactions; one result per item, in order',
        body: Type.Object(
          { transactions: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { transactions } = request.body as { transactions: unknown[] };
      // Decided together: one store lookup for all ids, and the group-commit writer stores them in as few
      // database transactions as it can.
      const results = await service.decideMany(transactions);
      return {
        results: results.map((r, i) =>
          r.kind === 'invalid'
            ? {
                index: i,
                status: 400,
                errors: r.errors.map((e) => ({ path: `transactions[${i}].${e.path}`, message: e.message })),
              }
            : {
                index: i,
                status: r.kind === 'created' ? 201 : r.kind === 'duplicate' ? 200 : 409,
                transaction_id: r.decision.transaction_id,
                decision: r.kind === 'conflict' ? undefined : r.decision,
              },
        ),
      };
    },
  );
}
