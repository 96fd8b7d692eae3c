/**
 * GET /api/v1/accounts/{id}/profile and PUT (reset the engine's memory of the account, audited);
 * GET /api/v1/accounts/{id}/transactions (its most recent ones, newest first).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { accountProfile } from '../../service/account-profile.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { notFound } from '../errors.ts';
import { Id, Limit, Text } from '../input-schema.ts';
import { Reply, StoredTransactionReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const PROFILE_WINDOW = 1000;
const Params = Type.Object({ id: Id });

export function accountRoutes(app: FastifyInstance, service: DecisionService): void {
  app.get(
    '/api/v1/accounts/:id/profile',
    {
      config: { roles: ROUTE_ROLES.readQueue },
      schema: {
        summary: "An account's profile: usual devices and places, risk from its stored decisions",
        tags: ['accounts'],
        params: Params,
        response: {
          200: { description: 'The profile', ...Reply({ account_id: Type.String() }) },
          404: errorResponse('The account has no stored transactions and no state in the engine'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const rows = await service.store.accountTransactions(id, PROFILE_WINDOW);
      const inEngine = service.engine.featureStore.accounts.total(id);
      if (rows.length === 0 && inEngine === 0) throw notFound(`account ${id}`);
      return accountProfile(id, rows, inEngine);
    },
  );

  app.get(
    '/api/v1/accounts/:id/transactions',
    {
      config: { roles: ROUTE_ROLES.readQueue },
      schema: {
        summary: "An account's most recent transactions, newest first",
        tags: ['accounts'],
        params: Params,
        querystring: Type.Object({ limit: Type.Optional(Limit(1000)) }, { additionalProperties: false }),
        response: {
          200: {
            description: 'Its transactions with their decisions',
            ...Reply({ account_id: Type.String(), items: Type.Array(StoredTransactionReply) }),
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { limit } = request.query as { limit?: number };
      return { account_id: id, items: await service.store.accountTransactions(id, limit ?? 20) };
    },
  );

  app.put(
    '/api/v1/accounts/:id/profile',
    {
      config: { roles: ROUTE_ROLES.review },
      schema: {
        summary: "Reset the engine's memory of an account (audited as profile_reset)",
        tags: ['accounts'],
        params: Params,
        body: Type.Object(
          { reset: Type.Literal(true), note: Type.Optional(Text(2000)) },
          { additionalProperties: false, examples: [{ reset: true, note: 'card reissued' }] },
        ),
        response: {
          200: { description: 'Reset', ...Reply({ account_id: Type.String(), reset: Type.Boolean() }) },
          404: errorResponse('The engine holds no state for this account'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { note } = request.body as { reset: true; note?: string };
      if (!service.engine.featureStore.accounts.has(id)) throw notFound(`account ${id}`);
      // Audited first: a reset the trail cannot record is not made.
      await service.store.audit({
        at: Date.now(),
        actor: request.caller?.name ?? 'unknown',
        action: 'profile_reset',
        transaction_id: null,
        old_value: id,
        new_value: null,
        note: note ?? null,
      });
      service.engine.featureStore.accounts.reset(id);
      return { account_id: id, reset: true };
    },
  );
}
