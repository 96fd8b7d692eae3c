/**
 * Runtime decision settings (thresholds, bypass mode and its score): read, change without restart, list the
 * versions, roll back. Every change is stored as a version with its audit entry before it is in force, so it
 * survives a restart, and the other processes on the store follow it within seconds (stored-decision-state.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionSettings } from '../../engine/decision.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { settingsVersionView } from '../../service/stored-decision-state.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { BoundedNumber, Limit } from '../input-schema.ts';
import { Reply, SettingsReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const Score = BoundedNumber(0, 1);

export function settingsRoutes(app: FastifyInstance, service: DecisionService): void {
  const engine = service.engine;
  const stored = service.stored;
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
            hold_on_review: Type.Optional(Type.Boolean()),
          },
          {
            additionalProperties: false,
            examples: [
              { thresholds: { review: 0.4, block_and_review: 0.8, decline: 0.95 } },
              { bypass: true },
              { hold_on_review: true },
            ],
          },
        ),
      },
    },
    async (request) => {
      let after: DecisionSettings;
      try {
        after = engine.checkSettings(request.body as Partial<DecisionSettings>);
      } catch (e) {
        const [path, ...rest] = (e as Error).message.split(': ');
        throw new ApiError(400, 'bad_request', (e as Error).message, [
          { path: path!, message: rest.join(': ') },
        ]);
      }
      // Stored and audited first: a change the store cannot keep is not made.
      return stored.changeSettings(after, request.caller?.name ?? 'unknown', 'settings_change');
    },
  );

  app.get(
    '/api/v1/settings/decision/versions',
    {
      config: { roles: ROUTE_ROLES.readRules },
      schema: {
        summary: 'Decision settings versions, newest first (the first is in force)',
        tags: ['settings'],
        response: {
          200: {
            description: 'The version in force and the stored versions',
            ...Reply({
              current: Type.Union([Type.Integer(), Type.Null()]),
              versions: Type.Array(
                Reply({
                  version: Type.Integer(),
                  settings: SettingsReply,
                  changed_at: Type.String({ format: 'date-time' }),
                  changed_by: Type.String(),
                }),
              ),
            }),
          },
        },
        querystring: Type.Object({ limit: Type.Optional(Limit(1000)) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { limit } = request.query as { limit?: number };
      return {
        current: stored.settingsVersion,
        versions: (await service.store.listSettingsVersions(limit ?? 100)).map(settingsVersionView),
      };
    },
  );

  app.post(
    '/api/v1/settings/decision/rollback',
    {
      config: { roles: ROUTE_ROLES.changeSettings },
      schema: {
        summary: 'Put a stored settings version back in force (a new version, audited as settings_change)',
        tags: ['settings'],
        body: Type.Object(
          { version: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
          { additionalProperties: false, examples: [{ version: 3 }] },
        ),
        response: {
          200: { description: 'The settings now in force', ...SettingsReply },
          404: errorResponse('No settings version with this number'),
        },
      },
    },
    async (request) => {
      const { version } = request.body as { version: number };
      const settings = await stored.settingsOf(version);
      if (settings === null) throw notFound(`decision settings version ${version}`);
      // Recorded as a new version (what was in force when is the list, newest first), and audited as the
      // settings change it is, so one filter on the trail lists every change; the note says it was a rollback.
      return stored.changeSettings(
        settings,
        request.caller?.name ?? 'unknown',
        'settings_change',
        `rollback to version ${version}`,
      );
    },
  );
}
