/**
 * Account cases (issue 17): list with filters and read (analysts, admins, auditors); assign, note, change the
 * status and do either in bulk (analysts, admins). The store writes each change with its timeline entry and its
 * audit entry in one transaction; a close labels the case's transactions, which then reach the engine and the
 * webhooks as verdicts do (case-work.ts). GET /api/v1/queues/backlog shows each queue against its SLA.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  ACCOUNT_CASE_STATUSES,
  ACTIVE_CASE_STATUSES,
  CLOSED_CASE_STATUSES,
  type AccountCaseStatus,
  type CaseChange,
  type CaseQuery,
} from '../../cases/case-types.ts';
import { CaseWork } from '../../cases/case-work.ts';
import { backlogRows } from '../../cases/queue-backlog.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import {
  AccountCaseStatusSchema,
  BacklogReply,
  BulkReply,
  CaseChangeReply,
  CaseDetailReply,
  CaseListReply,
  CaseNoteReply,
  CaseStatusReply,
  MAX_BULK_CASES,
  MAX_CASE_PAGE,
  MAX_NOTE_LENGTH,
} from '../case-schemas.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { MAX_ID_LENGTH } from '../../engine/transaction.ts';
import {
  BoundedNumber,
  Cursor,
  Id,
  Limit,
  MAX_EPOCH_MS,
  OneOf,
  STORABLE_PATTERN,
  Text,
} from '../input-schema.ts';
import { errorResponse } from '../route-docs.ts';
import { snoozeView } from './snoozes.ts';

/** `assignee` in a body: the caller. */
const ME = 'me';
/** `assignee` in a query: the unassigned. */
const NOBODY = 'none';
const STATUS_WORDS = ['active', 'closed', 'all'] as const;

const CaseParams = Type.Object({ id: Id }, { additionalProperties: false });
// One schema with both types, not a union: ajv would coerce "" to null and unassign.
const Assignee = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  minLength: 1,
  maxLength: MAX_ID_LENGTH,
  pattern: STORABLE_PATTERN,
  description: `An analyst's API key name, "${ME}" for the caller, or null to unassign`,
});
const Note = Text(MAX_NOTE_LENGTH, 1);

interface ListQuery {
  status?: string;
  assignee?: string;
  mine?: boolean;
  queue?: string;
  account_id?: string;
  min_score?: number;
  older_than?: number;
  sort?: 'priority' | 'age';
  limit?: number;
  cursor?: string;
}

/** `active` (the default), `closed`, `all`, or a comma list of statuses; else a 400 naming `status`. */
export function parseStatusFilter(raw: string | undefined): AccountCaseStatus[] {
  if (raw === undefined || raw === 'active') return [...ACTIVE_CASE_STATUSES];
  if (raw === 'closed') return [...CLOSED_CASE_STATUSES];
  if (raw === 'all') return [...ACCOUNT_CASE_STATUSES];
  const words = raw.split(',').map((w) => w.trim());
  const unknown = words.filter((w) => !(ACCOUNT_CASE_STATUSES as readonly string[]).includes(w));
  if (unknown.length > 0 || words.length === 0)
    throw badRequest([
      {
        path: 'status',
        message: `${JSON.stringify(unknown[0] ?? raw)} is not a case status: give ${STATUS_WORDS.join(', ')} or a comma list of ${ACCOUNT_CASE_STATUSES.join(', ')}`,
      },
    ]);
  return [...new Set(words as AccountCaseStatus[])];
}

const callerName = (request: FastifyRequest): string => request.caller?.name ?? 'unknown';

function refused(id: string, path: string, reason: string | undefined): ApiError {
  const message = reason ?? 'not allowed from its status';
  return new ApiError(409, 'conflict', `case ${id}: ${message}`, [{ path, message }]);
}

function changeAnswer(change: CaseChange) {
  return { changed: change.result === 'changed', case: change.case };
}

export function caseRoutes(app: FastifyInstance, service: DecisionService): void {
  const work = new CaseWork(service);

  app.get(
    '/api/v1/cases',
    {
      config: { roles: ROUTE_ROLES.readCases },
      schema: {
        summary: 'Account cases, highest priority first by default, one page at a time, with the total',
        tags: ['cases'],
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: `${STATUS_WORDS.join(', ')} (default active), or a comma list of ${ACCOUNT_CASE_STATUSES.join(', ')}`,
              }),
            ),
            assignee: Type.Optional(Id),
            mine: Type.Optional(Type.Boolean({ description: "true: the caller's cases" })),
            queue: Type.Optional(Id),
            account_id: Type.Optional(Id),
            min_score: Type.Optional(BoundedNumber(0, 1)),
            older_than: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: MAX_EPOCH_MS / 1000,
                finite: true,
                description: 'Seconds: opened at least this long ago',
              }),
            ),
            sort: Type.Optional(OneOf(['priority', 'age'] as const)),
            limit: Type.Optional(Limit(MAX_CASE_PAGE)),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: { description: 'One page of cases', ...CaseListReply } },
      },
    },
    async (request) => {
      const q = request.query as ListQuery;
      if (q.mine === true && q.assignee !== undefined)
        throw badRequest([{ path: 'mine', message: 'give mine=true or assignee, not both' }]);
      const filter: CaseQuery = {
        status: parseStatusFilter(q.status),
        queue: q.queue,
        account_id: q.account_id,
        min_score: q.min_score,
        opened_before: q.older_than === undefined ? undefined : service.now() - q.older_than * 1000,
      };
      if (q.mine === true) filter.assignee = callerName(request);
      else if (q.assignee !== undefined) filter.assignee = q.assignee === NOBODY ? null : q.assignee;
      const [page, total] = await Promise.all([
        work.store.listCases({ ...filter, sort: q.sort, limit: q.limit ?? 50, cursor: q.cursor }),
        work.store.countCases(filter),
      ]);
      return { items: page.items, next_cursor: page.next_cursor, total };
    },
  );

  app.get(
    '/api/v1/cases/:id',
    {
      config: { roles: ROUTE_ROLES.readCases },
      schema: {
        summary: "One case: its alerts, notes, timeline, and the account's active rule snoozes",
        tags: ['cases'],
        params: CaseParams,
        response: {
          200: { description: 'The case', ...CaseDetailReply },
          404: errorResponse('No case with this id'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const detail = await work.store.getCase(id);
      if (detail === null) throw notFound(`case ${id}`);
      const at = service.now();
      const snoozes = await service.store.listSnoozes({
        entity_type: 'account',
        entity_id: detail.account_id,
        active: true,
        at,
      });
      return { ...detail, snoozes: snoozes.map((s) => snoozeView(s, at)) };
    },
  );

  app.post(
    '/api/v1/cases/:id/assign',
    {
      config: { roles: ROUTE_ROLES.workCases },
      schema: {
        summary: 'Assign an active case (audited as case_assigned), or unassign it with null',
        tags: ['cases'],
        params: CaseParams,
        body: Type.Object(
          { assignee: Assignee },
          {
            additionalProperties: false,
            examples: [{ assignee: ME }, { assignee: 'alice' }, { assignee: null }],
          },
        ),
        response: {
          200: { description: 'The case now', ...CaseChangeReply },
          404: errorResponse('No case with this id'),
          409: errorResponse('The case is closed'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { assignee } = request.body as { assignee: string | null };
      const actor = callerName(request);
      const change = await work.assign(id, assignee === ME ? actor : assignee, actor);
      if (change === null) throw notFound(`case ${id}`);
      if (change.result === 'refused') throw refused(id, 'assignee', change.reason);
      return changeAnswer(change);
    },
  );

  app.post(
    '/api/v1/cases/:id/notes',
    {
      config: { roles: ROUTE_ROLES.workCases },
      schema: {
        summary: 'Add a note to a case, closed ones too (audited as case_note_added)',
        tags: ['cases'],
        params: CaseParams,
        body: Type.Object(
          { text: Note },
          {
            additionalProperties: false,
            examples: [{ text: 'called the cardholder: card in their wallet, payments not theirs' }],
          },
        ),
        response: {
          201: { description: 'The note as stored', ...CaseNoteReply },
          404: errorResponse('No case with this id'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { text } = request.body as { text: string };
      if (text.trim() === '') throw badRequest([{ path: 'text', message: 'must not be blank' }]);
      const note = await work.addNote(id, callerName(request), text);
      if (note === null) throw notFound(`case ${id}`);
      return reply.status(201).send(note);
    },
  );

  app.post(
    '/api/v1/cases/:id/status',
    {
      config: { roles: ROUTE_ROLES.workCases },
      schema: {
        summary:
          'Change the status: between open, in_review and escalated; close as fraud or legitimate (labels its transactions); reopen a closed case to open',
        tags: ['cases'],
        params: CaseParams,
        body: Type.Object(
          { status: AccountCaseStatusSchema, note: Type.Optional(Note) },
          {
            additionalProperties: false,
            examples: [{ status: 'closed_fraud', note: 'account taken over; cardholder confirmed' }],
          },
        ),
        response: {
          200: { description: 'The case now, and the transactions a close labelled', ...CaseStatusReply },
          404: errorResponse('No case with this id'),
          409: errorResponse('Not allowed from the case status (the reason says why)'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { status: AccountCaseStatus; note?: string };
      const change = await work.setStatus(id, body.status, callerName(request), body.note ?? null);
      if (change === null) throw notFound(`case ${id}`);
      if (change.result === 'refused') throw refused(id, 'status', change.reason);
      return { ...changeAnswer(change), labelled: change.labelled.map((l) => l.transaction_id) };
    },
  );

  app.post(
    '/api/v1/cases/bulk',
    {
      config: { roles: ROUTE_ROLES.workCases },
      schema: {
        summary: 'Assign or change the status of several cases: each on its own, one result per case',
        tags: ['cases'],
        body: Type.Object(
          {
            case_ids: Type.Array(Id, { minItems: 1, maxItems: MAX_BULK_CASES, uniqueItems: true }),
            action: OneOf(['assign', 'status'] as const),
            assignee: Type.Optional(Assignee),
            status: Type.Optional(AccountCaseStatusSchema),
            note: Type.Optional(Note),
          },
          {
            additionalProperties: false,
            examples: [
              { case_ids: ['case_8f14e45f-ceea-467f-a0e6-1f8c2d3b4a5e'], action: 'assign', assignee: 'bob' },
              {
                case_ids: ['case_8f14e45f-ceea-467f-a0e6-1f8c2d3b4a5e'],
                action: 'status',
                status: 'closed_legitimate',
                note: 'travel confirmed',
              },
            ],
          },
        ),
        response: { 200: { description: 'What happened to each case', ...BulkReply } },
      },
    },
    async (request) => {
      const body = request.body as {
        case_ids: string[];
        action: 'assign' | 'status';
        assignee?: string | null;
        status?: AccountCaseStatus;
        note?: string;
      };
      const actor = callerName(request);
      if (body.action === 'assign') {
        if (body.assignee === undefined)
          throw badRequest([{ path: 'assignee', message: 'required with action assign (null unassigns)' }]);
        if (body.status !== undefined || body.note !== undefined)
          throw badRequest([
            { path: body.status !== undefined ? 'status' : 'note', message: 'only with action status' },
          ]);
      } else {
        if (body.status === undefined)
          throw badRequest([{ path: 'status', message: 'required with action status' }]);
        if (body.assignee !== undefined)
          throw badRequest([{ path: 'assignee', message: 'only with action assign' }]);
      }
      const assignee = body.assignee === ME ? actor : (body.assignee ?? null);
      const results = [];
      // One case at a time, each in its own store transaction: one refusal does not undo the others.
      for (const id of body.case_ids) {
        const change =
          body.action === 'assign'
            ? await work.assign(id, assignee, actor)
            : await work.setStatus(id, body.status!, actor, body.note ?? null);
        if (change === null) results.push({ case_id: id, result: 'not_found' as const });
        else if (change.result === 'refused')
          results.push({ case_id: id, result: change.result, reason: change.reason ?? 'not allowed' });
        else results.push({ case_id: id, result: change.result });
      }
      return { results };
    },
  );

  app.get(
    '/api/v1/queues/backlog',
    {
      config: { roles: ROUTE_ROLES.readQueues },
      schema: {
        summary: "Each queue's active cases against its SLA (and the cases no queue matches)",
        tags: ['queues'],
        response: {
          200: { description: 'The backlog per queue', ...BacklogReply },
          400: errorResponse('A query parameter was given (none are taken)'),
        },
      },
    },
    async () => {
      const [queues, backlog] = await Promise.all([service.store.listQueues(), work.store.caseBacklog()]);
      return { queues: backlogRows(queues, backlog, service.now()) };
    },
  );
}
