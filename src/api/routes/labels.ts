/**
 * POST /api/v1/labels: labels that arrive after the decision (chargebacks, confirmed-fraud reports), in bulk.
 * Each valid item is recorded once per transaction with its audit entry and fed to the engine at the time it
 * became known; invalid items, unknown ids and conflicting labels are reported per item, never dropped.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import type { FieldError } from '../../engine/transaction.ts';
import type { LabelResult, NewLabel } from '../../store/types.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { Id, OneOf, Text } from '../input-schema.ts';
import { API_SOURCE, labelItem, labelsBodyValidator, MAX_LABELS, MAX_SOURCE_LENGTH } from '../label-body.ts';
import { LabelsReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

/** Up to 10,000 labels of about 100 bytes each, with room for long ids and sources. */
const LABELS_BODY_LIMIT = 4 << 20;

const LabelItem = Type.Object(
  {
    transaction_id: Id,
    label: OneOf(['fraud', 'legit'] as const),
    known_at: Type.Optional(
      Type.Integer({
        description: 'When the label became known (the chargeback date), epoch ms; default: now',
        examples: [1764633600000],
      }),
    ),
    source: Type.Optional(Text(MAX_SOURCE_LENGTH, 1)),
  },
  { additionalProperties: false },
);

const EXAMPLE = {
  labels: [
    { transaction_id: 'tx-20260301-0001', label: 'fraud', known_at: 1772964000000, source: 'chargebacks' },
    { transaction_id: 'tx-20260301-0002', label: 'legit' },
  ],
};

type ItemResult =
  | { index: number; transaction_id: string; result: 'recorded'; contradicts_verdict?: string }
  | { index: number; transaction_id: string; result: 'unchanged' }
  | {
      index: number;
      transaction_id?: string;
      result: 'invalid' | 'unknown_transaction' | 'conflict';
      message: string;
      errors: FieldError[];
      stored?: { label: 'fraud' | 'legit'; source: string; known_at: number };
    };

/** A refused item: its errors, and the message a whole answer would have. */
const refused = (
  index: number,
  result: 'invalid' | 'unknown_transaction' | 'conflict',
  errors: FieldError[],
  transactionId?: string,
): ItemResult => ({
  index,
  ...(transactionId === undefined ? {} : { transaction_id: transactionId }),
  result,
  message: badRequest(errors).message,
  errors,
});

function itemResult(index: number, label: NewLabel, r: LabelResult): ItemResult {
  const id = label.transaction_id;
  switch (r.result) {
    case 'recorded':
      return {
        index,
        transaction_id: id,
        result: 'recorded',
        ...(r.contradicts_verdict === null ? {} : { contradicts_verdict: r.contradicts_verdict }),
      };
    case 'unchanged':
      return { index, transaction_id: id, result: 'unchanged' };
    case 'unknown_transaction':
      return refused(
        index,
        'unknown_transaction',
        [{ path: `labels[${index}].transaction_id`, message: `no transaction ${id} is stored` }],
        id,
      );
    case 'conflict': {
      const stored = r.stored;
      const word = stored.fraud ? 'fraud' : 'legit';
      return {
        ...refused(
          index,
          'conflict',
          [
            {
              path: `labels[${index}].label`,
              message: `${word} was recorded before (source ${stored.source}, known at ${new Date(stored.known_at).toISOString()}); a recorded label is not replaced`,
            },
          ],
          id,
        ),
        stored: { label: word, source: stored.source, known_at: stored.known_at },
      } as ItemResult;
    }
  }
}

export function labelRoutes(app: FastifyInstance, service: DecisionService): void {
  app.post(
    '/api/v1/labels',
    {
      bodyLimit: LABELS_BODY_LIMIT,
      config: { roles: ROUTE_ROLES.recordLabels },
      schema: {
        summary: `Record up to ${MAX_LABELS.toLocaleString('en')} late labels (chargebacks, fraud reports); one result per item, in order`,
        description:
          'Answers 200 whenever the envelope is valid. Each item is `recorded` (stored, audited as ' +
          "`label_recorded`, fed to the engine at `known_at`; `contradicts_verdict` names the analysts' verdict " +
          'it overrules), `unchanged` (the same label was recorded before: nothing written), ' +
          '`unknown_transaction`, `conflict` (another label was recorded before: it is not replaced, `stored` ' +
          'names it) or `invalid` (`errors` at `labels[i].field`). Valid items are recorded even when others ' +
          `are invalid. known_at defaults to now, source to "${API_SOURCE}".`,
        tags: ['labels'],
        body: Type.Object(
          { labels: Type.Array(LabelItem, { minItems: 1, maxItems: MAX_LABELS }) },
          { additionalProperties: false, examples: [EXAMPLE] },
        ),
        response: {
          200: { description: 'One result per item, in order, and the totals', ...LabelsReply },
          413: errorResponse('The body is larger than 4 MiB'),
          503: errorResponse(
            'The database did not answer in time; retrying is safe (stored items answer unchanged)',
          ),
        },
      },
      validatorCompiler: labelsBodyValidator,
    },
    async (request) => {
      const { labels } = request.body as { labels: unknown[] };
      const now = Date.now();
      const checked = labels.map((item, i) => labelItem(item, i, now));
      const valid = checked.flatMap((c, index) => ('errors' in c ? [] : [{ index, label: c }]));
      const recorded = await service.recordLabels(
        valid.map((v) => v.label),
        request.caller?.name ?? 'unknown',
      );
      const results: ItemResult[] = checked.map((c, i) =>
        'errors' in c ? refused(i, 'invalid', c.errors) : (null as unknown as ItemResult),
      );
      valid.forEach((v, k) => (results[v.index] = itemResult(v.index, v.label, recorded[k]!)));
      const totals = { recorded: 0, unchanged: 0, unknown_transaction: 0, conflict: 0, invalid: 0 };
      for (const r of results) totals[r.result]++;
      return { results, totals };
    },
  );
}
