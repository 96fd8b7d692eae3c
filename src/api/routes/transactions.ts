/** POST /api/v1/transactions (score, store, answer) and GET /api/v1/transactions/{id}. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DecisionService } from '../../service/decision-service.ts';
import { holdView } from '../../service/hold-status.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { badRequest, notFound } from '../errors.ts';
import { Id, TRANSACTION_EXAMPLE, TransactionBody } from '../input-schema.ts';
import { errorResponse } from '../route-docs.ts';
import {
  allTransactionErrors,
  batchBodyValidator,
  transactionBodyValidator,
  transactionShapeErrors,
} from '../transaction-body.ts';
import { joinPath } from '../unknown-fields.ts';
import { BatchReply, StoredTransactionReply, SubmitReply } from '../response-schemas.ts';
import type { StoredLabel, StoredTransaction } from '../../store/types.ts';

const MAX_BATCH = 1000;

/**
 * The label known for a stored transaction: the analysts' verdict (a closed case, known when it was closed) or
 * the imported label, whichever became known last (the import on a tie, as `knownLabels` decides); null when
 * neither.
 */
function transactionLabel(
  stored: StoredTransaction,
  imported: StoredLabel | null,
): { fraud: boolean; source: string; known_at: number } | null {
  const verdict =
    stored.status === 'confirmed_fraud' || stored.status === 'legitimate'
      ? { fraud: stored.status === 'confirmed_fraud', source: 'verdict', known_at: stored.updated_at }
      : null;
  if (imported === null || (verdict !== null && verdict.known_at > imported.known_at)) return verdict;
  return { fraud: imported.fraud, source: imported.source, known_at: imported.known_at };
}
const CONFLICT = 'already used by a different transaction';

/** A batch item refused: its status, the error kind and message as a whole answer would have them. */
const invalidItem = (index: number, errors: { path: string; message: string }[]) => ({
  index,
  status: 400,
  error: 'bad_request',
  message: badRequest(errors).message,
  errors,
});

export function transactionRoutes(app: FastifyInstance, service: DecisionService): void {
  app.post(
    '/api/v1/transactions',
    {
      config: { roles: ROUTE_ROLES.submitTransaction },
      schema: {
        summary: 'Score a transaction and store it with its decision (idempotent on transaction_id)',
        description:
          'Answers after the decision is stored. The same transaction sent again gets its first decision back ' +
          '(200, duplicate: true); another transaction with a used transaction_id is a 409. Unknown fields ' +
          'are refused (400, with the nearest known name).',
        tags: ['transactions'],
        body: TransactionBody,
        response: {
          201: { description: 'Scored and stored', ...SubmitReply },
          200: { description: 'Sent before: the first decision, unchanged', ...SubmitReply },
          409: errorResponse('transaction_id already used by a different transaction'),
          503: errorResponse('The database did not answer in time; nothing was stored, retry'),
        },
      },
      validatorCompiler: transactionBodyValidator,
    },
    async (request, reply) => {
      const result = await service.decide(request.body);
      switch (result.kind) {
        case 'invalid':
          throw badRequest(result.errors);
        case 'conflict':
          return reply.status(409).send({
            error: 'conflict',
            message: `transaction_id: ${CONFLICT}`,
            details: [{ path: 'transaction_id', message: CONFLICT }],
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
      schema: {
        summary: 'A stored transaction with its decision, case status and label',
        description:
          'A person reading it (any role but service) is audited as transaction_read. `label` is the latest ' +
          'known: an imported one (POST /api/v1/labels, `labels import`; its source) or the verdict of a ' +
          'closed case (source `verdict`); null when neither. `hold` is null unless the decision was a hold ' +
          '(a blocking review): then `pending_review` until an analyst gives the verdict, then `approved` or ' +
          '`declined` with who and when (docs/decisions.md, "Holds").',
        tags: ['transactions'],
        params: Type.Object({ id: Id }),
        response: {
          200: { description: 'The transaction, its decision and case', ...StoredTransactionReply },
          404: errorResponse('No transaction with this id'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const [stored, imported] = await Promise.all([
        service.store.getTransaction(id),
        service.store.getLabel(id),
      ]);
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
      return {
        ...stored,
        label: transactionLabel(stored, imported),
        hold: await holdView(stored, service.store),
      };
    },
  );

  app.post(
    '/api/v1/transactions/batch',
    {
      config: { roles: ROUTE_ROLES.submitTransaction },
      schema: {
        summary: 'Score up to 1,000 transactions; one result per item, in order',
        description:
          'The batch is a 200 whenever its envelope is valid: each item has its own status (201 created, ' +
          '200 duplicate, 400 invalid with `errors` at `transactions[i].field`, 409 transaction_id conflict).',
        tags: ['transactions'],
        body: Type.Object(
          { transactions: Type.Array(TransactionBody, { minItems: 1, maxItems: MAX_BATCH }) },
          { additionalProperties: false, examples: [{ transactions: [TRANSACTION_EXAMPLE] }] },
        ),
        response: { 200: { description: 'One result per item, in order', ...BatchReply } },
      },
      validatorCompiler: batchBodyValidator(MAX_BATCH),
    },
    async (request) => {
      const { transactions } = request.body as { transactions: unknown[] };
      // Items with unknown fields or a timestamp in seconds are refused here; the others are decided together:
      // one store lookup for all ids, and the group-commit writer stores them in as few database transactions
      // as it can.
      const shapes = transactions.map((t, i) => transactionShapeErrors(t, `transactions[${i}]`));
      const accepted = transactions.filter((_t, i) => shapes[i]!.length === 0);
      const decided = await service.decideMany(accepted);
      let next = 0;
      return {
        results: transactions.map((t, i) => {
          const shape = shapes[i]!;
          if (shape.length > 0) return invalidItem(i, allTransactionErrors(t, shape, `transactions[${i}]`));
          const r = decided[next++]!;
          if (r.kind === 'invalid')
            return invalidItem(
              i,
              r.errors.map((e) => ({ path: joinPath(`transactions[${i}]`, e.path), message: e.message })),
            );
          if (r.kind === 'conflict') {
            const path = `transactions[${i}].transaction_id`;
            return {
              index: i,
              status: 409,
              error: 'conflict',
              message: `${path}: ${CONFLICT}`,
              transaction_id: r.decision.transaction_id,
              errors: [{ path, message: CONFLICT }],
            };
          }
          return {
            index: i,
            status: r.kind === 'created' ? 201 : 200,
            transaction_id: r.decision.transaction_id,
            decision: r.decision,
          };
        }),
      };
    },
  );
}
