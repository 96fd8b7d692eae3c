/**
 * Model versions and their stages (GET), promotion of a challenger or an archived version to champion, archiving
 * a challenger, rolling back to the champion before (admin; each audited with the stage change in one database
 * transaction). Every answer is the GET shape, the state after the change.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { ModelRegistryError, type ModelRegistry, type StageChange } from '../../service/model-registry.ts';
import { MODEL_KINDS } from '../../training/model-files.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { TRAINING_RUNS_LISTED, trainingRunView } from './model-training.ts';
import { ApiError } from '../errors.ts';
import { OneOf, Text } from '../input-schema.ts';
import { ModelsReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const STATUS = {
  unknown_kind: 400,
  invalid_artifact: 400,
  not_found: 404,
  no_previous: 409,
  wrong_stage: 409,
  changed: 409,
} as const;

const Kind = OneOf(MODEL_KINDS);
const Params = Type.Object({ id: Text(200, 1) });

const MODEL_CHANGE_RESPONSES = {
  200: { description: 'The versions and their stages after the change', ...ModelsReply },
  404: errorResponse('No such model version'),
  409: errorResponse(
    'The version is not in a stage this change starts from (the message names its stage), no champion before the one in force, another process changed the versions first, or this process runs without models',
  ),
};

/** The GET /api/v1/models answer. */
export async function modelsState(service: DecisionService) {
  const live = service.liveModels.latest();
  const training = (await service.store.listTrainingRuns(TRAINING_RUNS_LISTED)).map(trainingRunView);
  const r = service.models;
  if (r === null)
    return {
      in_force: {},
      challengers: {},
      challenger_traffic: 0,
      auto_promote: false,
      versions: [],
      live,
      training,
    };
  return {
    in_force: r.active(),
    challengers: r.challengers(),
    challenger_traffic: r.challengerTraffic,
    auto_promote: r.autoPromoteEnabled,
    versions: await r.list(),
    live,
    training,
  };
}

export function modelRoutes(app: FastifyInstance, service: DecisionService): void {
  const registry = (): ModelRegistry => {
    if (service.models === null) throw new ApiError(409, 'conflict', 'this process runs without models');
    return service.models;
  };

  /** Runs a stage change (audited in its own transaction), maps registry errors to their answer, answers the state. */
  const change = async (
    change: (r: ModelRegistry, actor: string) => Promise<StageChange>,
    request: FastifyRequest,
  ) => {
    const r = registry();
    try {
      await change(r, request.caller?.name ?? 'unknown');
    } catch (e) {
      if (!(e instanceof ModelRegistryError)) throw e;
      const [path, ...rest] = e.message.split(': ');
      throw new ApiError(STATUS[e.reason], e.reason, e.message, [{ path: path!, message: rest.join(': ') }]);
    }
    return modelsState(service);
  };

  app.get(
    '/api/v1/models',
    {
      config: { roles: ROUTE_ROLES.readModels },
      schema: {
        summary: 'Model versions with their stages, what is in force, the challengers and their live figures',
        tags: ['models'],
        response: { 200: { description: 'Versions and their stages', ...ModelsReply } },
      },
    },
    async () => modelsState(service),
  );

  app.post(
    '/api/v1/models/:id/promote',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary:
          'Make a challenger or archived version the champion of its kind (in force for the next decision); the champion before is archived',
        tags: ['models'],
        params: Params,
        response: MODEL_CHANGE_RESPONSES,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return change((r, actor) => r.promote(id, actor), request);
    },
  );

  app.post(
    '/api/v1/models/:id/archive',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary: "Archive a challenger (its kind's challenger set falls back to the champion)",
        tags: ['models'],
        params: Params,
        response: MODEL_CHANGE_RESPONSES,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return change((r, actor) => r.archive(id, actor), request);
    },
  );

  app.put(
    '/api/v1/models/active',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary:
          'Put a model version in force for the next decision: the same as promote; naming the champion changes nothing',
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
      return change((r, actor) => r.promote(version, actor, { kind, idempotent: true }), request);
    },
  );

  app.post(
    '/api/v1/models/rollback',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary: 'Put the champion before the one in force back in force; the current one is archived',
        tags: ['models'],
        body: Type.Object({ kind: Kind }, { additionalProperties: false, examples: [{ kind: 'gbdt' }] }),
        response: MODEL_CHANGE_RESPONSES,
      },
    },
    async (request) => {
      const { kind } = request.body as { kind: string };
      return change((r, actor) => r.rollback(kind, actor), request);
    },
  );
}
