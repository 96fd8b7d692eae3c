/**
 * Training from the store over the API: start a run (admin; answered at once, trained in the background, 409
 * while a run is going on in any process on the store) and list the runs. docs/models.md, "Training from the
 * store".
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseDuration } from '../../cli/options.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { TRAINING_TRIGGERS, type TrainingRunRecord, type TrainingStatus } from '../../store/types.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, badRequest } from '../errors.ts';
import { OneOf, Text } from '../input-schema.ts';
import { Reply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

/** A run as the API shows it (the contract's TrainingRun): times as ISO strings, the figures at the top. */
export interface TrainingRunView {
  id: string;
  trigger: TrainingRunRecord['trigger'];
  status: TrainingStatus;
  started_at: string;
  finished_at: string | null;
  actor: string;
  window_ms: number;
  cutoff: string;
  decisions: number;
  labels: { fraud: number; legit: number; assumed_legit: number };
  produced: string[];
  message: string | null;
}

export function trainingRunView(run: TrainingRunRecord): TrainingRunView {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    started_at: new Date(run.started_at).toISOString(),
    finished_at: run.finished_at === null ? null : new Date(run.finished_at).toISOString(),
    actor: run.actor,
    window_ms: run.window_ms,
    cutoff: new Date(run.cutoff).toISOString(),
    decisions: run.result.decisions,
    labels: run.result.labels,
    produced: run.result.produced,
    message: run.result.message,
  };
}

/** Runs the GET answers list: the newest. */
export const TRAINING_RUNS_LISTED = 20;

/** Longest window a run may read (a year of decisions is more than a run holds in memory anyway). */
const MAX_WINDOW_MS = 366 * 86_400_000;

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

export const TrainingRunReply = Reply(
  {
    id: Type.String(),
    trigger: OneOf(TRAINING_TRIGGERS),
    status: OneOf(['running', 'done', 'failed', 'skipped'] as const),
    started_at: Type.String({ description: 'ISO 8601, UTC' }),
    finished_at: Nullable(Type.String({ description: 'ISO 8601, UTC; null while running' })),
    actor: Type.String(),
    window_ms: Type.Number(),
    cutoff: Type.String({ description: 'No decision after it, no label known after it was used' }),
    decisions: Type.Number({ description: 'Decisions with features in the window' }),
    labels: Reply({ fraud: Type.Number(), legit: Type.Number(), assumed_legit: Type.Number() }),
    produced: Type.Array(Type.String(), { description: 'Artifact ids registered as challengers' }),
    message: Nullable(Type.String({ description: 'Why it was skipped or failed' })),
  },
  'A training run from the store',
);

export function modelTrainingRoutes(app: FastifyInstance, service: DecisionService): void {
  app.post(
    '/api/v1/models/train',
    {
      config: { roles: ROUTE_ROLES.manageModels },
      schema: {
        summary: 'Train new model versions from the store (they enter as challengers); answers at once',
        tags: ['models'],
        body: Type.Object(
          {
            window: Type.Optional(
              Type.String({
                ...Text(20, 1),
                description: 'How far back from now decisions are taken, e.g. 30d (default TRAIN_WINDOW)',
              }),
            ),
          },
          { additionalProperties: false, examples: [{ window: '30d' }] },
        ),
        response: {
          202: { description: 'The run, started', ...Reply({ run: TrainingRunReply }) },
          409: errorResponse(
            'A run is going on (in this or another process), or this process runs without models',
          ),
        },
      },
    },
    async (request, reply) => {
      const trainer = service.trainer;
      if (trainer === null) throw new ApiError(409, 'conflict', 'this process runs without models');
      const body = (request.body ?? {}) as { window?: string };
      let windowMs = trainer.options.defaultWindowMs;
      if (body.window !== undefined) {
        const parsed = parseDuration(body.window);
        if ('error' in parsed) throw badRequest([{ path: 'window', message: parsed.error }]);
        if (parsed.ms <= 0 || parsed.ms > MAX_WINDOW_MS)
          throw badRequest([{ path: 'window', message: 'must be more than 0 and at most 366d' }]);
        windowMs = parsed.ms;
      }
      const started = await trainer.start('manual', request.caller?.name ?? 'unknown', windowMs);
      if (!started.started) {
        const { id, started_at } = started.running;
        throw new ApiError(
          409,
          'training_running',
          `a training run is going on: ${id}, started ${new Date(started_at).toISOString()}`,
        );
      }
      // Trained in the background; the run's end is in GET /api/v1/models/training.
      void started.finished;
      return reply.status(202).send({ run: trainingRunView(started.run) });
    },
  );

  app.get(
    '/api/v1/models/training',
    {
      config: { roles: ROUTE_ROLES.readModels },
      schema: {
        summary: 'Training runs from the store, newest first (at most 20)',
        tags: ['models'],
        response: {
          200: { description: 'The runs', ...Reply({ runs: Type.Array(TrainingRunReply) }) },
        },
      },
    },
    async () => ({
      runs: (await service.store.listTrainingRuns(TRAINING_RUNS_LISTED)).map(trainingRunView),
    }),
  );
}
