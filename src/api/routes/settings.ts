/** Runtime decision settings (thresholds, bypass mode and its score): read, change without restart, audited. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { BoundedNumber } from '../input-schema.ts';
import { SettingsReply } from '../response-schemas.ts';

const Score = BoundedNumber(0, 1);

export function settingsRoutes(app: FastifyInstance, service: DecisionService): void {
  const engine = service.engine;
  app.get(
    '/api/v1/settings/decision',
    {
      config: { roles: ROUTE_ROLES.readRules },
      schema: {
        summary: 'The decision settings in force: thresholds, bypass and its score',
        tags: ['settings'],
        response: { 200: { description: 'The settings', ...SettingsReply } },
      },
    },
    async () => engine.decisionSettings,
  );

  app.put(
    '/api/v1/settings/decision',
    {
      config: { roles: ROUTE_ROLES.changeSettings },
      schema: {
        summary: 'Change thresholds or bypass mode for the next decision (audited as settings_change)',
        description: 'Only the fields given change. Unknown fields are refused, never ignored.',
        tags: ['settings'],
        response: { 200: { description: 'The settings now in force', ...SettingsReply } },
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
          {
            additionalProperties: false,
            examples: [
              { thresholds: { review: 0.4, block_and_review: 0.8, decline: 0.95 } },
              { bypass: true },
            ],
          },
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
