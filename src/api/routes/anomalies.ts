/** The review queue: GET /api/v1/anomalies, GET /api/v1/anomalies/count, PUT /api/v1/anomalies/{id}. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { OUTCOMES } from '../../engine/decision.ts';
import { parseTimestamp } from '../../engine/transaction.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import {
  CASE_STATUSES,
  decodeCursor,
  encodeCursor,
  VERDICT_STATUSES,
  type AnomalyQuery,
  type CaseStatus,
  type VerdictStatus,
} from '../../store/types.ts';
import { ROUTE_ROLES } from '../auth.ts';
import {
  AuditEntryReply,
  CaseStatusSchema,
  PageReply,
  Reply,
  StoredTransactionReply,
} from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';
import { badRequest, notFound } from '../errors.ts';
import { BoundedNumber, Cursor, EpochMs, Id, Limit, MAX_EPOCH_MS, OneOf, Text } from '../input-schema.ts';

const filters = {
  status: Type.Optional(OneOf(CASE_STATUSES)),
  outcome: Type.Optional(OneOf(OUTCOMES)),
  min_score: Type.Optional(BoundedNumber(0, 1)),
  account_id: Type.Optional(Id),
  from: Type.Optional(EpochMs),
  to: Type.Optional(EpochMs),
};

type Filters = {
  status?: CaseStatus;
  outcome?: AnomalyQuery['outcome'];
  min_score?: number;
  account_id?: string;
  from?: string;
  to?: string;
};

/** A time bound from the query string: ISO 8601 or epoch milliseconds, else a 400 naming it. */
function timeFilter(key: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseTimestamp(raw);
  // Beyond what a Date holds, a bound is a typo, and it would not fit the stores' BIGINT columns.
  if (Number.isNaN(t) || Math.abs(t) > MAX_EPOCH_MS)
    throw badRequest([
      {
        path: key,
        message: `must be an ISO 8601 date-time or whole epoch milliseconds (at most ${MAX_EPOCH_MS} either way), got ${JSON.stringify(raw)}`,
      },
    ]);
  return t;
}

function toQuery(q: Filters): AnomalyQuery {
  return {
    status: q.status,
    outcome: q.outcome,
    min_score: q.min_score,
    account_id: q.account_id,
    from: timeFilter('from', q.from),
    to: timeFilter('to', q.to),
  };
}

/** What a verdict or a reopen answers: the status before and after, and whether anything changed. */
const CaseChangeReply = Reply({
  transaction_id: Type.String(),
  old_status: CaseStatusSchema,
  status: CaseStatusSchema,
  changed: Type.Boolean({ description: 'false when the case already had this status (nothing audited)' }),
});

function caseChangeAnswer(
  id: string,
  change: { old_status: CaseStatus; new_status: CaseStatus; result: string },
): { transaction_id: string; old_status: CaseStatus; status: CaseStatus; changed: boolean } {
  return {
    transaction_id: id,
    old_status: change.old_status,
    status: change.new_status,
    changed: change.result === 'changed',
  };
}

export function anomalyRoutes(app: FastifyInstance, service: DecisionService): void {
  app.get(
    '/api/v1/anomalies',
    {
      config: { roles: ROUTE_ROLES.readQueue },
      schema: {
        summary: 'Flagged transactions, highest score first by default, one page at a time',
        tags: ['review'],
        response: { 200: { description: 'One page of the queue', ...PageReply(StoredTransactionReply) } },
        querystring: Type.Object(
          {
            ...filters,
            sort: Type.Optional(OneOf(['score', 'time'] as const)),
            limit: Type.Optional(Limit()),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query as Filters & { sort?: 'score' | 'time'; limit?: number; cursor?: string };
      if (q.cursor !== undefined) decodeCursor(q.cursor, q.sort); // a crafted one is a 400 naming `cursor`
      return service.store.listAnomalies({
        ...toQuery(q),
        sort: q.sort,
        limit: q.limit ?? 100,
        cursor: q.cursor,
      });
    },
  );

  app.get(
    '/api/v1/anomalies/count',
    {
      config: { roles: ROUTE_ROLES.readQueue },
      schema: {
        summary: 'How many flagged transactions match the filters',
        tags: ['review'],
        querystring: Type.Object(filters, { additionalProperties: false }),
        response: { 200: { description: 'The count', ...Reply({ count: Type.Integer() }) } },
      },
    },
    async (request) => ({ count: await service.store.countAnomalies(toQuery(request.query as Filters)) }),
  );

  app.put(
    '/api/v1/anomalies/:id',
    {
      config: { roles: ROUTE_ROLES.review },
      schema: {
        summary: 'Record an analyst verdict: audited, and fed back to the engine as a label',
        tags: ['review'],
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            status: OneOf(VERDICT_STATUSES),
            note: Type.Optional(Text(2000)),
          },
          {
            additionalProperties: false,
            examples: [{ status: 'confirmed_fraud', note: 'cardholder confirmed the card was stolen' }],
          },
        ),
        response: {
          200: {
            description: 'The case status before and after',
            ...CaseChangeReply,
          },
          404: errorResponse('No transaction with this id'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { status: VerdictStatus; note?: string };
      const actor = request.caller?.name ?? 'unknown';
      const change = await service.review(id, body.status, actor, body.note ?? null);
      if (change === null) throw notFound(`transaction ${id}`);
      // The same verdict twice answers as the first did, with changed: false (and no second audit entry).
      return caseChangeAnswer(id, change);
    },
  );

  app.post(
    '/api/v1/anomalies/:id/reopen',
    {
      config: { roles: ROUTE_ROLES.review },
      schema: {
        summary: 'Reopen a closed case or a disputed decline as an open case (audited as case_reopened)',
        tags: ['review'],
        params: Type.Object({ id: Id }),
        body: Type.Object(
          { note: Type.Optional(Text(2000)) },
          { additionalProperties: false, examples: [{ note: 'customer disputes the decline' }] },
        ),
        response: {
          200: {
            description: 'The case status before and after',
            ...CaseChangeReply,
          },
          404: errorResponse('No transaction with this id'),
          409: errorResponse('An approval (no case) or a case under review cannot be reopened'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const note = (request.body as { note?: string }).note ?? null;
      const change = await service.reopen(id, request.caller?.name ?? 'unknown', note);
      if (change === null) throw notFound(`transaction ${id}`);
      if (change.result === 'refused') {
        const why: Partial<Record<CaseStatus, string>> = {
          none: 'it was approved and has no case; record a verdict on it instead',
          under_review: 'its case is open (under review)',
        };
        const message = `cannot be reopened: ${why[change.old_status] ?? `its status is ${change.old_status}`}`;
        return reply.status(409).send({
          error: 'conflict',
          message: `transaction ${id} ${message}`,
          details: [{ path: 'status', message }],
        });
      }
      return caseChangeAnswer(id, change);
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { roles: ROUTE_ROLES.readAudit },
      schema: {
        summary: 'The audit trail, newest first, one page at a time (next_cursor), filtered',
        tags: ['review'],
        response: { 200: { description: 'One page of audit entries', ...PageReply(AuditEntryReply) } },
        querystring: Type.Object(
          {
            transaction_id: Type.Optional(Id),
            actor: Type.Optional(Text(128, 1)),
            action: Type.Optional(Text(64, 1)),
            from: Type.Optional(Type.String({ maxLength: 64 })),
            to: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Limit()),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query as {
        transaction_id?: string;
        actor?: string;
        action?: string;
        from?: string;
        to?: string;
        limit?: number;
        cursor?: string;
      };
      const limit = q.limit ?? 100;
      const entries = await service.store.listAudit({
        transaction_id: q.transaction_id,
        actor: q.actor,
        action: q.action,
        from: timeFilter('from', q.from),
        to: timeFilter('to', q.to),
        order: 'desc',
        // The audit cursor's key is an entry id: a whole number, as for sort=time.
        before_id: q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'time').key,
        limit,
      });
      const last = entries[entries.length - 1];
      return {
        items: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        next_cursor: entries.length === limit && last ? encodeCursor(last.id, 'audit') : null,
      };
    },
  );
}
