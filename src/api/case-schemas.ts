/**
 * What the account-case routes take and answer, as the OpenAPI document shows it (docs/api.md "Account cases").
 * Times of cases, alerts, notes and events are epoch milliseconds, as the case contract keeps them.
 */
import { Type } from 'typebox';
import { OUTCOMES } from '../engine/decision.ts';
import { ACCOUNT_CASE_STATUSES, CASE_EVENT_ACTIONS } from '../cases/case-types.ts';
import { OneOf } from './input-schema.ts';
import { Nullable, Reply } from './response-schemas.ts';
import { SnoozeReply } from './routes/snoozes.ts';

export const MAX_CASE_PAGE = 200;
export const MAX_BULK_CASES = 200;
export const MAX_NOTE_LENGTH = 4000;

const EpochMsReply = Type.Integer({ description: 'Epoch milliseconds' });

export const AccountCaseStatusSchema = OneOf(ACCOUNT_CASE_STATUSES);

const accountCaseFields = {
  id: Type.String({ description: '`case_` + a UUID' }),
  account_id: Type.String(),
  status: AccountCaseStatusSchema,
  assignee: Nullable(Type.String({ description: "The analyst's API key name; null: unassigned" })),
  queue: Nullable(Type.String({ description: 'The first queue whose filter matches; null: none does' })),
  priority: Type.Integer({ description: 'Higher first: the score weighs most, the amount adds' }),
  max_score: Type.Number(),
  max_amount: Type.Number(),
  alert_count: Type.Integer(),
  reason_codes: Type.Array(Type.String()),
  opened_at: EpochMsReply,
  last_alert_at: EpochMsReply,
  updated_at: EpochMsReply,
  closed_at: Nullable(EpochMsReply),
  closed_by: Nullable(Type.String()),
};

export const AccountCaseReply = Reply(accountCaseFields, 'An account case');

const CaseAlertReply = Reply({
  transaction_id: Type.String(),
  added_at: EpochMsReply,
  decided_at: EpochMsReply,
  amount: Type.Number(),
  currency: Type.String(),
  merchant_id: Nullable(Type.String()),
  outcome: OneOf(OUTCOMES),
  score: Type.Number(),
  reasons: Type.Array(Type.String()),
  status: Type.String({ description: "The transaction's own review status" }),
});

export const CaseNoteReply = Reply(
  {
    id: Type.Integer(),
    case_id: Type.String(),
    author: Type.String(),
    at: EpochMsReply,
    text: Type.String(),
  },
  'A note on a case',
);

const CaseEventReply = Reply({
  id: Type.Integer(),
  case_id: Type.String(),
  at: EpochMsReply,
  actor: Type.String({ description: 'An API key name, or `system` for grouping, routing, auto-assignment' }),
  action: OneOf(CASE_EVENT_ACTIONS),
  old_value: Nullable(Type.String()),
  new_value: Nullable(Type.String()),
});

export const CaseDetailReply = Reply(
  {
    ...accountCaseFields,
    alerts: Type.Array(CaseAlertReply, { description: 'Oldest first' }),
    notes: Type.Array(CaseNoteReply, { description: 'Oldest first' }),
    timeline: Type.Array(CaseEventReply, { description: 'Oldest first; each also in the audit trail' }),
    snoozes: Type.Array(SnoozeReply, { description: 'Rule snoozes active now for the account' }),
  },
  'A case with its alerts, notes, timeline and snoozes',
);

export const CaseListReply = Reply({
  items: Type.Array(AccountCaseReply),
  next_cursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null at the end' })),
  total: Type.Integer({ description: 'Cases matching the filters, over every page' }),
});

export const CaseChangeReply = Reply({
  changed: Type.Boolean({ description: 'false when it already was so (nothing written, nothing audited)' }),
  case: AccountCaseReply,
});

export const CaseStatusReply = Reply({
  changed: Type.Boolean({ description: 'false when it already was so (nothing written, nothing audited)' }),
  case: AccountCaseReply,
  labelled: Type.Array(Type.String(), {
    description: 'The transactions a close labelled (their status changed; each fed to the engine)',
  }),
});

export const BULK_RESULTS = ['changed', 'unchanged', 'refused', 'not_found'] as const;

export const BulkReply = Reply({
  results: Type.Array(
    Reply({
      case_id: Type.String(),
      result: OneOf(BULK_RESULTS),
      reason: Type.Optional(Type.String({ description: 'Why a change was refused' })),
    }),
    { description: 'One per case id, in the order given' },
  ),
});

export const BacklogReply = Reply({
  queues: Type.Array(
    Reply({
      queue: Nullable(Type.String({ description: 'null: active cases no queue matches' })),
      active: Type.Integer(),
      unassigned: Type.Integer(),
      oldest_opened_at: Nullable(EpochMsReply),
      oldest_age_seconds: Nullable(Type.Integer()),
      sla_seconds: Nullable(Type.Integer({ description: "The queue's target age; null for the unrouted" })),
      breached: Type.Boolean({ description: 'Its oldest active case is older than the SLA' }),
    }),
    { description: 'Every defined queue (in order), then the unrouted row when it has cases' },
  ),
});
