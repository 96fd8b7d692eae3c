/**
 * Rule snoozes (issue 17): mute one rule for one account, merchant or device for a while, with a reason. Analysts
 * and admins create and end them (each audited), auditors read them; every process on the store follows them.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parseDuration } from '../../cli/options.ts';
import { SNOOZE_ENTITY_TYPES, type SnoozeEntityType } from '../../engine/rule-snoozes.ts';
import { parseTimestamp } from '../../engine/transaction.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { MAX_ACTIVE_SNOOZES } from '../../service/stored-snoozes.ts';
import { snoozeActive, type RuleSnoozeRecord, type SnoozeQuery } from '../../store/snooze-queries.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { EpochMs, Id, Limit, OneOf, Text } from '../input-schema.ts';
import { Reply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

/** The longest a snooze may last: a rule muted for longer should be changed instead. */
export const MAX_SNOOZE_MS = 90 * 86_400_000;

const RuleId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]{0,63}$' });
const IsoTime = Type.String({ description: 'ISO 8601, UTC' });

export const SnoozeReply = Reply(
  {
    id: Type.String(),
    rule_id: Type.String(),
    entity_type: OneOf(SNOOZE_ENTITY_TYPES),
    entity_id: Type.String(),
    reason: Type.String(),
    created_at: IsoTime,
    created_by: Type.String(),
    until: IsoTime,
    ended_at: Type.Union([IsoTime, Type.Null()], { description: 'When it was ended early; null otherwise' }),
    ended_by: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean({ description: 'Muting its rule now: not ended, and `until` still ahead' }),
  },
  'A rule snooze',
);

export function snoozeView(s: RuleSnoozeRecord, now: number) {
  return {
    id: s.id,
    rule_id: s.rule_id,
    entity_type: s.entity_type,
    entity_id: s.entity_id,
    reason: s.reason,
    created_at: new Date(s.created_at).toISOString(),
    created_by: s.created_by,
    until: new Date(s.until).toISOString(),
    ended_at: s.ended_at === null ? null : new Date(s.ended_at).toISOString(),
    ended_by: s.ended_by,
    active: snoozeActive(s, now),
  };
}

/** The end of a new snooze from `until` or `duration` (exactly one), within MAX_SNOOZE_MS of now; else a 400. */
function snoozeEnd(body: { until?: string; duration?: string }, now: number): number {
  if ((body.until === undefined) === (body.duration === undefined)) {
    throw badRequest([
      { path: 'until', message: 'give exactly one of until (a time) or duration (such as 2h)' },
    ]);
  }
  let end: number;
  let path: string;
  if (body.duration !== undefined) {
    path = 'duration';
    const parsed = parseDuration(body.duration);
    if ('error' in parsed) throw badRequest([{ path, message: parsed.error }]);
    end = now + parsed.ms;
  } else {
    path = 'until';
    end = parseTimestamp(body.until!);
    if (Number.isNaN(end))
      throw badRequest([{ path, message: 'must be an ISO 8601 date-time or whole epoch milliseconds' }]);
  }
  if (end <= now) throw badRequest([{ path, message: 'must end in the future' }]);
  if (end - now > MAX_SNOOZE_MS)
    throw badRequest([
      { path, message: 'at most 90 days ahead: change the rule instead of muting it longer' },
    ]);
  return end;
}

export function snoozeRoutes(app: FastifyInstance, service: DecisionService): void {
  const now = () => service.now();

  app.post(
    '/api/v1/rules/:rule_id/snoozes',
    {
      config: { roles: ROUTE_ROLES.snoozeRules },
      schema: {
        summary: 'Mute one rule for one account, merchant or device for a while (audited as rule_snoozed)',
        description:
          'Give `until` (ISO 8601 or epoch ms) or `duration` (such as 30min, 2h, 7d), at most 90 days ahead. ' +
          'The rule must be in the rules in force. While active, the rule is skipped for transactions of that ' +
          'entity dated before `until`; decisions it would have fired on list it in `snoozed_rules`. Every ' +
          'process on the store follows a new snooze within FRAUDWATCH_FOLLOW_INTERVAL_MS.',
        tags: ['rules'],
        params: Type.Object({ rule_id: RuleId }),
        body: Type.Object(
          {
            entity_type: OneOf(SNOOZE_ENTITY_TYPES),
            entity_id: Id,
            until: Type.Optional(EpochMs),
            duration: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            reason: Text(1000, 1),
          },
          {
            additionalProperties: false,
            examples: [
              { entity_type: 'account', entity_id: 'acct-42', duration: '7d', reason: 'travels for work' },
            ],
          },
        ),
        response: {
          201: { description: 'Stored and in force', ...SnoozeReply },
          404: errorResponse('No rule with this id in the rules in force'),
          409: errorResponse(`Already ${MAX_ACTIVE_SNOOZES} active snoozes: end some first`),
        },
      },
    },
    async (request, reply) => {
      const { rule_id: ruleId } = request.params as { rule_id: string };
      const body = request.body as {
        entity_type: SnoozeEntityType;
        entity_id: string;
        until?: string;
        duration?: string;
        reason: string;
      };
      if (body.reason.trim() === '') throw badRequest([{ path: 'reason', message: 'must not be blank' }]);
      const at = now();
      const until = snoozeEnd(body, at);
      if (!service.engine.ruleSet.document.rules.some((r) => r.id === ruleId))
        throw notFound(`rule ${ruleId}`);
      const created = await service.snoozes.create(
        {
          rule_id: ruleId,
          entity_type: body.entity_type,
          entity_id: body.entity_id,
          until,
          reason: body.reason,
        },
        request.caller?.name ?? 'unknown',
      );
      if (created.kind === 'too_many')
        throw new ApiError(409, 'conflict', `already ${MAX_ACTIVE_SNOOZES} active snoozes; end some first`);
      return reply.status(201).send(snoozeView(created.snooze, at));
    },
  );

  app.get(
    '/api/v1/snoozes',
    {
      config: { roles: ROUTE_ROLES.readRules },
      schema: {
        summary: 'Rule snoozes, newest first: by rule, entity, account (for a case) and whether active',
        description:
          '`account_id=X` is short for `entity_type=account&entity_id=X` (the snoozes a case page shows) and ' +
          'cannot be combined with them. `active=true` keeps the ones muting their rule now.',
        tags: ['rules'],
        querystring: Type.Object(
          {
            rule_id: Type.Optional(RuleId),
            entity_type: Type.Optional(OneOf(SNOOZE_ENTITY_TYPES)),
            entity_id: Type.Optional(Id),
            account_id: Type.Optional(Id),
            active: Type.Optional(OneOf(['true', 'false'] as const)),
            limit: Type.Optional(Limit(1000)),
          },
          { additionalProperties: false },
        ),
        response: { 200: { description: 'The snoozes', ...Reply({ items: Type.Array(SnoozeReply) }) } },
      },
    },
    async (request) => {
      const q = request.query as {
        rule_id?: string;
        entity_type?: SnoozeEntityType;
        entity_id?: string;
        account_id?: string;
        active?: 'true' | 'false';
        limit?: number;
      };
      if (q.account_id !== undefined && (q.entity_type !== undefined || q.entity_id !== undefined)) {
        throw badRequest([
          { path: 'account_id', message: 'cannot be combined with entity_type or entity_id (it is both)' },
        ]);
      }
      const at = now();
      const query: SnoozeQuery = {
        rule_id: q.rule_id,
        entity_type: q.account_id !== undefined ? 'account' : q.entity_type,
        entity_id: q.account_id ?? q.entity_id,
        limit: q.limit,
        ...(q.active === undefined ? {} : { active: q.active === 'true', at }),
      };
      return { items: (await service.store.listSnoozes(query)).map((s) => snoozeView(s, at)) };
    },
  );

  app.delete(
    '/api/v1/snoozes/:id',
    {
      config: { roles: ROUTE_ROLES.snoozeRules },
      schema: {
        summary: 'End a snooze now (audited as rule_snooze_ended); the rule counts again for that entity',
        description: 'Every process on the store follows it within FRAUDWATCH_FOLLOW_INTERVAL_MS.',
        tags: ['rules'],
        params: Type.Object({ id: Id }),
        response: {
          200: { description: 'Ended', ...SnoozeReply },
          404: errorResponse('No snooze with this id'),
          409: errorResponse('The snooze already ended (early or at its end)'),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const ended = await service.snoozes.end(id, request.caller?.name ?? 'unknown', null);
      if (ended === null) throw notFound(`snooze ${id}`);
      if (ended.result === 'not_active')
        throw new ApiError(409, 'conflict', `snooze ${id} already ended`, [
          { path: 'id', message: 'already ended' },
        ]);
      return snoozeView(ended.snooze, now());
    },
  );
}
