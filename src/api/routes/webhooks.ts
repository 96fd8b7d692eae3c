/**
 * Webhook subscriptions (admin manages, auditor reads): list, create, change, delete, rotate the signing secret,
 * the deliveries log and a redelivery. Every change is stored with its audit entry in one transaction. A secret
 * is answered once, by the create or rotate that made it; no read shows it (nor its sealed form).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { OUTCOMES, type Outcome } from '../../engine/decision.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../../service/domain-events.ts';
import type { NewAuditEntry } from '../../store/types.ts';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type WebhookChange,
  type WebhookDelivery,
  type WebhookSubscription,
} from '../../store/webhook-types.ts';
import { newKeyId, newWebhookSecret, type SecretSealer } from '../../webhooks/webhook-secrets.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { BoundedNumber, Id, Limit, OneOf, Text } from '../input-schema.ts';
import { Reply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

const MAX_URL_LENGTH = 2000;
const DELIVERIES_LISTED = 100;

const Events = Type.Array(OneOf(DOMAIN_EVENT_TYPES), { minItems: 1, uniqueItems: true });
const Outcomes = Type.Union([Type.Array(OneOf(OUTCOMES), { minItems: 1, uniqueItems: true }), Type.Null()]);
const MinScore = Type.Union([BoundedNumber(0, 1), Type.Null()]);
const Url = Text(MAX_URL_LENGTH, 1);
const Params = Type.Object({ id: Id });
const DeliveryParams = Type.Object({ id: Id, delivery: Id });

const SubscriptionReply = Reply({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  outcomes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  min_score: Type.Union([Type.Number(), Type.Null()]),
  enabled: Type.Boolean(),
  key_id: Type.String({ description: 'Sent as X-Fraudwatch-Key-Id: which secret signed a delivery' }),
  created_at: Type.String(),
  updated_at: Type.String(),
  created_by: Type.String(),
});
const WithSecret = Reply({
  ...SubscriptionReply.properties,
  secret: Type.String({ description: 'The signing secret: shown this once, never again' }),
});
const DeliveryReply = Reply({
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  event_key: Type.String(),
  status: OneOf(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_attempt_at: Type.String(),
  created_at: Type.String(),
  delivered_at: Type.Union([Type.String(), Type.Null()]),
  redelivery_of: Type.Union([Type.String(), Type.Null()]),
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** A subscription as answered: never its secret. */
export function subscriptionView(s: WebhookSubscription) {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    outcomes: s.outcomes,
    min_score: s.min_score,
    enabled: s.enabled,
    key_id: s.key_id,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
    created_by: s.created_by,
  };
}

export function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    subscription_id: d.subscription_id,
    seq: d.seq,
    event_id: d.event_id,
    event_type: d.event_type,
    event_key: d.event_key,
    event_at: iso(d.event_at),
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    next_attempt_at: iso(d.next_attempt_at),
    created_at: iso(d.created_at),
    delivered_at: d.delivered_at === null ? null : iso(d.delivered_at),
    redelivery_of: d.redelivery_of,
  };
}

/** http or https, a host, no credentials in it (they would be logged and shown): else 400 naming `url`. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest([{ path: 'url', message: 'must be an absolute http:// or https:// URL' }]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badRequest([
      { path: 'url', message: `must use http or https, not ${url.protocol.replace(':', '')}` },
    ]);
  if (url.username !== '' || url.password !== '')
    throw badRequest([{ path: 'url', message: 'must not carry a user name or password' }]);
  if (url.hostname === '') throw badRequest([{ path: 'url', message: 'must name a host' }]);
  return url.toString();
}

interface SubscriptionBody {
  url: string;
  events: DomainEventType[];
  outcomes?: Outcome[] | null;
  min_score?: number | null;
  enabled?: boolean;
}

export function webhookRoutes(app: FastifyInstance, service: DecisionService, sealer: SecretSealer): void {
  const hooks = service.store.webhooks;
  const actor = (request: FastifyRequest): string => request.caller?.name ?? 'unknown';
  const entry = (request: FastifyRequest, action: string, old: unknown, now: unknown): NewAuditEntry => ({
    at: service.now(),
    actor: actor(request),
    action,
    transaction_id: null,
    old_value: old === null ? null : JSON.stringify(old),
    new_value: now === null ? null : JSON.stringify(now),
    note: null,
  });
  const found = async (id: string): Promise<WebhookSubscription> => {
    const s = await hooks.get(id);
    if (s === null) throw notFound(`webhook ${id}`);
    return s;
  };

  app.get(
    '/api/v1/webhooks',
    {
      config: { roles: ROUTE_ROLES.readWebhooks },
      schema: {
        summary: 'Webhook subscriptions (never their secrets)',
        tags: ['webhooks'],
        response: {
          200: { description: 'The subscriptions', ...Reply({ items: Type.Array(SubscriptionReply) }) },
        },
      },
    },
    async () => ({ items: (await hooks.list()).map(subscriptionView) }),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: { roles: ROUTE_ROLES.manageWebhooks },
      schema: {
        summary:
          'Subscribe a URL to events (audited as webhook_created); the answer shows the signing secret once',
        tags: ['webhooks'],
        body: Type.Object(
          {
            url: Url,
            events: Events,
            outcomes: Type.Optional(Outcomes),
            min_score: Type.Optional(MinScore),
            enabled: Type.Optional(Type.Boolean()),
          },
          {
            additionalProperties: false,
            examples: [
              {
                url: 'https://hooks.example.com/fraud',
                events: ['decision.declined', 'case.opened'],
                min_score: 0.8,
              },
            ],
          },
        ),
        response: {
          201: { description: 'Created; `secret` is shown this once', ...WithSecret },
          400: errorResponse('A field is missing or wrong (the message names it)'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as SubscriptionBody;
      const url = checkWebhookUrl(body.url);
      const secret = newWebhookSecret();
      const at = service.now();
      const subscription: WebhookSubscription = {
        id: `wh_${randomUUID()}`,
        url,
        events: body.events,
        outcomes: body.outcomes ?? null,
        min_score: body.min_score ?? null,
        enabled: body.enabled ?? true,
        key_id: newKeyId(),
        secret_sealed: sealer.seal(secret),
        created_at: at,
        updated_at: at,
        created_by: actor(request),
      };
      await hooks.create(
        subscription,
        entry(request, 'webhook_created', null, subscriptionView(subscription)),
      );
      return reply.status(201).send({ ...subscriptionView(subscription), secret });
    },
  );

  app.get(
    '/api/v1/webhooks/:id',
    {
      config: { roles: ROUTE_ROLES.readWebhooks },
      schema: {
        summary: 'One webhook subscription',
        tags: ['webhooks'],
        params: Params,
        response: {
          200: { description: 'The subscription', ...SubscriptionReply },
          404: errorResponse('No such webhook'),
        },
      },
    },
    async (request) => subscriptionView(await found((request.params as { id: string }).id)),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: { roles: ROUTE_ROLES.manageWebhooks },
      schema: {
        summary: 'Change a subscription: URL, events, filters, enabled (audited as webhook_updated)',
        description:
          'Only the fields given change. A disabled subscription gets no new deliveries and sends none.',
        tags: ['webhooks'],
        params: Params,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(Events),
            outcomes: Type.Optional(Outcomes),
            min_score: Type.Optional(MinScore),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1, examples: [{ enabled: false }] },
        ),
        response: {
          200: { description: 'The subscription after the change', ...SubscriptionReply },
          400: errorResponse('A field is wrong (the message names it)'),
          404: errorResponse('No such webhook'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as Partial<SubscriptionBody>;
      const change: WebhookChange = {
        url: body.url === undefined ? undefined : checkWebhookUrl(body.url),
        events: body.events,
        outcomes: body.outcomes,
        min_score: body.min_score,
        enabled: body.enabled,
      };
      const before = await found(id);
      const after = await hooks.update(
        id,
        change,
        service.now(),
        entry(request, 'webhook_updated', subscriptionView(before), { id, ...body }),
      );
      if (after === null) throw notFound(`webhook ${id}`);
      return subscriptionView(after);
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { roles: ROUTE_ROLES.manageWebhooks },
      schema: {
        summary: 'Delete a subscription and its deliveries (audited as webhook_deleted)',
        tags: ['webhooks'],
        params: Params,
        response: {
          200: { description: 'Deleted', ...Reply({ deleted: Type.String() }) },
          404: errorResponse('No such webhook'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const before = await found(id);
      if (!(await hooks.remove(id, entry(request, 'webhook_deleted', subscriptionView(before), null))))
        throw notFound(`webhook ${id}`);
      return { deleted: id };
    },
  );

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      config: { roles: ROUTE_ROLES.manageWebhooks },
      schema: {
        summary:
          'A new signing secret and key id, in force for the next attempt (audited as webhook_secret_rotated); shown once',
        tags: ['webhooks'],
        params: Params,
        response: {
          200: { description: 'The subscription with its new secret, shown this once', ...WithSecret },
          404: errorResponse('No such webhook'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const before = await found(id);
      const secret = newWebhookSecret();
      const keyId = newKeyId();
      const after = await hooks.update(
        id,
        { key_id: keyId, secret_sealed: sealer.seal(secret) },
        service.now(),
        entry(request, 'webhook_secret_rotated', { id, key_id: before.key_id }, { id, key_id: keyId }),
      );
      if (after === null) throw notFound(`webhook ${id}`);
      return { ...subscriptionView(after), secret };
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { roles: ROUTE_ROLES.readWebhooks },
      schema: {
        summary: "A subscription's deliveries, newest first, with their attempts and last status codes",
        tags: ['webhooks'],
        params: Params,
        querystring: Type.Object(
          {
            status: Type.Optional(OneOf(DELIVERY_STATUSES)),
            limit: Type.Optional(Limit(DELIVERIES_LISTED)),
            before: Type.Optional(Type.Integer({ minimum: 1, finite: true })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'One page; `next_before` continues it (null at the end)',
            ...Reply({
              items: Type.Array(DeliveryReply),
              next_before: Type.Union([Type.Integer(), Type.Null()]),
            }),
          },
          404: errorResponse('No such webhook'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { status?: DeliveryStatus; limit?: number; before?: number };
      await found(id);
      const limit = q.limit ?? 50;
      const items = await hooks.deliveries({
        subscription_id: id,
        status: q.status,
        before_seq: q.before,
        limit,
      });
      return {
        items: items.map(deliveryView),
        next_before: items.length === limit ? items[items.length - 1]!.seq : null,
      };
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:delivery/redeliver',
    {
      config: { roles: ROUTE_ROLES.manageWebhooks },
      schema: {
        summary:
          'Send a delivery again: the same event and body as a new delivery, after what its key has pending (audited as webhook_redelivered)',
        tags: ['webhooks'],
        params: DeliveryParams,
        response: {
          202: { description: 'Queued', ...DeliveryReply },
          404: errorResponse('No such webhook or delivery'),
        },
      },
    },
    async (request, reply) => {
      const { id, delivery } = request.params as { id: string; delivery: string };
      const first = await hooks.getDelivery(delivery);
      if (first === null || first.subscription_id !== id)
        throw notFound(`delivery ${delivery} of webhook ${id}`);
      const newId = randomUUID();
      const queued = await hooks.redeliver(
        delivery,
        newId,
        service.now(),
        entry(request, 'webhook_redelivered', { id, delivery }, { id, delivery: newId }),
      );
      if (queued === null)
        throw new ApiError(404, 'not_found', `delivery ${delivery} of webhook ${id} not found`);
      return reply.status(202).send(deliveryView(queued));
    },
  );
}
