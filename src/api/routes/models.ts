/**
 * Model versions: which artifacts exist and which are in force (GET), put another in force or roll back to the
 * one before, without a restart (admin; audited). The runbooks' "roll back to the previous model version".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { ModelRegistryError, type ModelChange, type ModelRegistry } from '../../service/model-registry.ts';
import { MODEL_KINDS } from '../../training/model-files.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { OneOf, Text } from '../input-schema.ts';
import { ModelsReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const STATUS = { unknown_kind: 400, invalid_artifact: 400, not_found: 404, no_previous: 409 } as const;

const Kind = OneOf(MODEL_KINDS);

const MODEL_CHANGE_RESPONSES = {
  200: { description: 'The versions and what is now in force', ...ModelsReply },
  404: errorResponse('No such model version'),
  409: errorResponse('No version before the one in force, or this process runs without models'),
};

export function modelRoutes(app: FastifyInstance, service: DecisionService): void {
  const registry = (): ModelRegistry => {
    if (service.models === null) throw new ApiError(409, 'conflict', 'this process runs without models');
    return service.models;
  };

  /**
   * Plans a change (checks and loads the artifact), maps registry errors to their HTTP answer, audits, then puts
   * it in force: a change the trail cannot record is not made. Answers with the new state.
   */
  const change = async (request: FastifyRequest, action: string, plan: (r: ModelRegistry) => ModelChange) => {
    const r = registry();
    let planned: ModelChange;
    try {
      planned = plan(r);
    } catch (e) {
      if (!(e instanceof ModelRegistryError)) throw e;
      const [path, ...rest] = e.message.split(': ');
      throw new ApiError(STATUS[e.reason], e.reason, e.message, [{ path: path!, message: rest.join(': ') }]);
    }
    await service.store.audit({
      at: Date.now(),
      actor: request.caller?.name ?? 'unknown',
      action,
      transaction_id: null,
      old_value: planned.before,
      new_value: planned.after,
      note: null,
    });
    planned.apply();
    return { in_force: r.active(), versions: r.list() };
  };

  app.get(
    '/api/v1/models',
    {
      config: { roles: ROUTE_ROLES.readModels },
      schema: {
        summary: 'Model versions available and the one in force per kind',
        tags: ['models'],
        response: { 200: { description: 'Versions and what is in force', ...ModelsReply } },
      },
    },
    async () =>
      service.models === null
        ? { in_force: {}, versions: [] }
        : { in_force: service.models.active(), versions: service.models.list() },
  );

  app.put(
    '/api/v1/models/active',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary: 'Put a model version in force for the next decision (kept across restarts)',
        tags: ['models'],
        body: Type.Object(
          { kind: Kind, version: Text(200, 1) },
          {
            additionalProperties: false,
            examples: [{ kind: 'gbdt', version: 'gbdt-2026-12-01T19-11-35-022Z' }],
          },
        ),
        response: MODEL_CHANGE_RESPONSES,
      },
    },
    async (request) => {
      const { kind, version } = request.body as { kind: string; version: string };
      return change(request, 'model_activate', (r) => r.planActivate(kind, version));
    },
  );

  app.post(
    '/api/v1/models/rollback',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary: 'Put the version before the one in force back in force',
        tags: ['models'],
        body: Type.Object({ kind: Kind }, { additionalProperties: false, examples: [{ kind: 'gbdt' }] }),
        response: MODEL_CHANGE_RESPONSES,
      },
    },
    async (request) => {
      const { kind } = request.body as { kind: string };
      return change(request, 'model_rollback', (r) => r.planRollback(kind));
    },
  );
}
