/**
 * Case queues (issue 17): list and read (analysts, admins, auditors), create, change, change members and delete
 * (admins). Every change is stored with its audit entry in one transaction (queue_created, queue_updated,
 * queue_deleted); the shape is checked once here, then by the queue model (duplicates, ranges) naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  checkQueueDefinition,
  checkQueueMembers,
  MAX_CAPACITY,
  MAX_MEMBERS,
  MAX_PRIORITY,
  MAX_QUEUE_NAME,
  MAX_SLA_SECONDS,
  QUEUE_NAME_PATTERN,
  type QueueDefinition,
  type QueueRecord,
} from '../../cases/queue-model.ts';
import { QUEUE_AUDIT_ACTIONS, queueDefinitionText } from '../../cases/queue-audit.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import type { QueueChanges } from '../../store/queue-queries.ts';
import { MAX_ID_LENGTH } from '../../engine/transaction.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { BoundedNumber, Id, NoQuery, STORABLE_PATTERN } from '../input-schema.ts';
import { IsoTime, Reply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const QueueName = Type.String({ minLength: 1, maxLength: MAX_QUEUE_NAME, pattern: QUEUE_NAME_PATTERN });
const Position = Type.Integer({
  minimum: 0,
  maximum: 1_000_000,
  description: 'Lower first: the first matching queue assigns',
});
const SlaSeconds = Type.Integer({
  minimum: 1,
  maximum: MAX_SLA_SECONDS,
  description: 'An open case older than this breaches the SLA',
});
const Filter = Type.Object(
  {
    min_amount: Type.Optional(BoundedNumber(0, Number.MAX_SAFE_INTEGER)),
    min_score: Type.Optional(BoundedNumber(0, 1)),
    min_priority: Type.Optional(Type.Integer({ minimum: -MAX_PRIORITY, maximum: MAX_PRIORITY })),
    reason_code: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, pattern: STORABLE_PATTERN }),
    ),
  },
  { additionalProperties: false, description: 'Every condition given must hold; {} matches every open case' },
);
const Member = Type.Object(
  {
    name: Id,
    capacity: Type.Integer({
      minimum: 0,
      maximum: MAX_CAPACITY,
      description: 'Most open cases assigned at once',
    }),
  },
  { additionalProperties: false },
);
const Members = Type.Array(Member, {
  maxItems: MAX_MEMBERS,
  description: "Analysts' API key names, in turn order",
});
const NameParams = Type.Object({ name: QueueName }, { additionalProperties: false });

const QueueReply = Reply({
  name: Type.String(),
  position: Type.Integer(),
  filter: Reply({
    min_amount: Type.Optional(Type.Number()),
    min_score: Type.Optional(Type.Number()),
    min_priority: Type.Optional(Type.Integer()),
    reason_code: Type.Optional(Type.String()),
  }),
  members: Type.Array(Reply({ name: Type.String(), capacity: Type.Integer() })),
  sla_seconds: Type.Integer(),
  last_assigned: Type.Union([Type.String(), Type.Null()], {
    description: 'Who got the last automatic assignment: the next turn starts after them',
  }),
  created_at: IsoTime,
  created_by: Type.String(),
  updated_at: IsoTime,
  updated_by: Type.String(),
});

function queueView(q: QueueRecord) {
  return {
    ...q,
    created_at: new Date(q.created_at).toISOString(),
    updated_at: new Date(q.updated_at).toISOString(),
  };
}

export function queueRoutes(app: FastifyInstance, service: DecisionService): void {
  const store = service.store;
  const actorOf = (request: { caller: { name: string } | null }) => request.caller?.name ?? 'unknown';

  app.get(
    '/api/v1/queues',
    {
      config: { roles: ROUTE_ROLES.readQueues },
      schema: {
        summary: 'Case queues, in the order auto-assignment tries them',
        tags: ['queues'],
        querystring: NoQuery,
        response: { 200: { description: 'The queues', ...Reply({ items: Type.Array(QueueReply) }) } },
      },
    },
    async () => ({ items: (await store.listQueues()).map(queueView) }),
  );

  app.get(
    '/api/v1/queues/:name',
    {
      config: { roles: ROUTE_ROLES.readQueues },
      schema: {
        summary: 'One case queue',
        tags: ['queues'],
        params: NameParams,
        querystring: NoQuery,
        response: { 200: { description: 'The queue', ...QueueReply }, 404: errorResponse('No such queue') },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const q = await store.getQueue(name);
      if (q === null) throw notFound(`queue ${name}`);
      return queueView(q);
    },
  );

  app.post(
    '/api/v1/queues',
    {
      config: { roles: ROUTE_ROLES.manageQueues },
      schema: {
        summary: 'Create a case queue (audited as queue_created)',
        tags: ['queues'],
        body: Type.Object(
          {
            name: QueueName,
            position: Type.Optional(Position),
            filter: Type.Optional(Filter),
            members: Type.Optional(Members),
            sla_seconds: SlaSeconds,
          },
          {
            additionalProperties: false,
            examples: [
              {
                name: 'high amount',
                filter: { min_amount: 1000 },
                members: [{ name: 'alice', capacity: 5 }],
                sla_seconds: 3600,
              },
            ],
          },
        ),
        response: {
          201: { description: 'The queue as stored', ...QueueReply },
          409: errorResponse('A queue of that name exists'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as Partial<QueueDefinition> & { name: string; sla_seconds: number };
      const definition: QueueDefinition = {
        name: body.name,
        position: body.position ?? 0,
        filter: body.filter ?? {},
        members: body.members ?? [],
        sla_seconds: body.sla_seconds,
      };
      const errors = checkQueueDefinition(definition);
      if (errors.length > 0) throw badRequest(errors);
      const at = Date.now();
      const actor = actorOf(request);
      const record: QueueRecord = {
        ...definition,
        last_assigned: null,
        created_at: at,
        created_by: actor,
        updated_at: at,
        updated_by: actor,
      };
      const created = await store.createQueue(record, {
        at,
        actor,
        action: QUEUE_AUDIT_ACTIONS.created,
        transaction_id: null,
        old_value: null,
        new_value: queueDefinitionText(record),
        note: null,
      });
      if (!created)
        throw new ApiError(409, 'conflict', `name: a queue named ${definition.name} exists`, [
          { path: 'name', message: `a queue named ${definition.name} exists` },
        ]);
      return reply.status(201).send(queueView(record));
    },
  );

  const change = async (name: string, changes: QueueChanges, actor: string): Promise<QueueRecord> => {
    if (changes.members !== undefined) {
      const errors = checkQueueMembers(changes.members);
      if (errors.length > 0) throw badRequest(errors);
    }
    const after = await store.updateQueue(name, changes, Date.now(), {
      at: Date.now(),
      actor,
      action: QUEUE_AUDIT_ACTIONS.updated,
      transaction_id: null,
      note: null,
    });
    if (after === null) throw notFound(`queue ${name}`);
    return after;
  };

  app.patch(
    '/api/v1/queues/:name',
    {
      config: { roles: ROUTE_ROLES.manageQueues },
      schema: {
        summary: 'Change a queue: only the fields given (audited as queue_updated, with before and after)',
        tags: ['queues'],
        params: NameParams,
        body: Type.Object(
          {
            position: Type.Optional(Position),
            filter: Type.Optional(Filter),
            members: Type.Optional(Members),
            sla_seconds: Type.Optional(SlaSeconds),
          },
          { additionalProperties: false, minProperties: 1, examples: [{ sla_seconds: 1800 }] },
        ),
        response: {
          200: { description: 'The queue now', ...QueueReply },
          404: errorResponse('No such queue'),
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      return queueView(await change(name, request.body as QueueChanges, actorOf(request)));
    },
  );

  app.put(
    '/api/v1/queues/:name/members',
    {
      config: { roles: ROUTE_ROLES.manageQueues },
      schema: {
        summary: "Replace a queue's members and capacities (audited as queue_updated)",
        tags: ['queues'],
        params: NameParams,
        body: Type.Object(
          { members: Members },
          { additionalProperties: false, examples: [{ members: [{ name: 'alice', capacity: 5 }] }] },
        ),
        response: {
          200: { description: 'The queue now', ...QueueReply },
          404: errorResponse('No such queue'),
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { members } = request.body as { members: QueueRecord['members'] };
      return queueView(await change(name, { members }, actorOf(request)));
    },
  );

  app.delete(
    '/api/v1/queues/:name',
    {
      config: { roles: ROUTE_ROLES.manageQueues },
      schema: {
        summary: 'Delete a queue (audited as queue_deleted); cases assigned through it keep their assignee',
        tags: ['queues'],
        params: NameParams,
        querystring: NoQuery,
        response: { 204: { description: 'Deleted', type: 'null' }, 404: errorResponse('No such queue') },
      },
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const deleted = await store.deleteQueue(name, {
        at: Date.now(),
        actor: actorOf(request),
        action: QUEUE_AUDIT_ACTIONS.deleted,
        transaction_id: null,
        note: null,
      });
      if (!deleted) throw notFound(`queue ${name}`);
      return reply.status(204).send();
    },
  );
}
