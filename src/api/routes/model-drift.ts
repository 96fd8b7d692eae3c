/**
 * The live drift of this process's models in force: per model the score's population stability index over the
 * window, each input's, and the score's per hour slot (the dashboard's drift chart). Computed when asked from the
 * counts the decisions left (src/service/live-drift.ts); nothing here runs on the decision path.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { SCORE_PSI_ALERT } from '../../service/live-drift.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { IsoTime, Reply } from '../response-schemas.ts';

const Psi = (description: string) => Type.Number({ minimum: 0, description });

export const ModelDriftReply = Reply({
  window_ms: Type.Integer({ description: 'The sliding window of decision time, milliseconds (24 slots)' }),
  models: Type.Array(
    Reply({
      model_version: Type.String({ description: 'The artifact id, as decisions carry it' }),
      observed: Type.Integer({ description: 'Decisions of this process counted in the window' }),
      score_psi: Psi(`The score's PSI over the window (> ${SCORE_PSI_ALERT}: the drift alert)`),
      features: Type.Array(Reply({ feature: Type.String(), psi: Psi("The input's PSI over the window") })),
      history: Type.Array(
        Reply({
          start: IsoTime,
          decisions: Type.Integer(),
          score_psi: Psi("The score's PSI over this slot alone"),
        }),
        { description: 'The slots of the window that counted decisions, oldest first' },
      ),
    }),
    { description: 'One per model in force whose artifact has a training profile' },
  ),
});

export function modelDriftRoutes(app: FastifyInstance, service: DecisionService): void {
  app.get(
    '/api/v1/models/drift',
    {
      config: { roles: ROUTE_ROLES.readModels },
      schema: {
        summary: "This process's traffic against its models' training data (population stability index)",
        tags: ['models'],
        response: {
          200: { description: 'Per model in force: PSI of its score and inputs', ...ModelDriftReply },
        },
      },
    },
    async () => ({ window_ms: service.drift.windowMs, models: service.drift.reports(Date.now()) }),
  );
}
