/** Runtime decision settings (thresholds, bypass mode and its score): read, change without restart, audited. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { BoundedNumber } from '../input-schema.ts';

const Score = BoundedNumber(0, 1);

export function settingsRoutes(app: FastifyInstance, service: DecisionService): void {
  const engine = service.engine;
  app.get(
    '/api/v1/settings/decision',
    { config: { roles: ROUTE_ROLES.readRules } },
    async () => engine.decisionSettings,
  );

  app.put(
    '/api/v1/settings/decision',
    {
      config: { roles: ROUTE_ROLES.changeSettings },
      schema: {
        body: Type.Object(
          {
            thresholds: Type.Optional(
              Type.Object(
                { review: Score, block_and_review: Score, decline: Score },
                { additionalProperties: false },
              ),
            ),
            bypass: Type.Optional(Type.Boolean()),
            bypass_score: Type.Optional(Score),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const before = engine.decisionSettings;
      let after;
      try {
        after = engine.checkSettings(request.body as Parameters<typeof engine.setSettings>[0]);
      } catch (e) {
        const [path, ...rest] = (e as Error).message.split(': ');
        throw new ApiError(400, 'bad_request', (e as Error).message, [
          { path: path!, message: rest.join(': ') },
        ]);
      }
      // Audited first: a change the trail cannot record is not made.
      await service.store.audit({
        at: Date.now(),
        actor: request.caller?.name ?? 'unknown',
        action: 'settings_change',
        transaction_id: null,
        old_value: JSON.stringify(before),
        new_value: JSON.stringify(after),
        note: null,
      });
      engine.setSettings(after);
      return after;
    },
  );
}
