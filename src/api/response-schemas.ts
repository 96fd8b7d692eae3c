/**
 * What the routes answer, as the OpenAPI document shows it. These schemas document and do not filter: answers
 * are serialized as they are (app.ts), so each object stays open (`additionalProperties`) to what a later
 * version adds.
 */
import { Type, type TSchema } from 'typebox';
import { OUTCOMES } from '../engine/decision.ts';
import { CASE_STATUSES, MODEL_STAGES } from '../store/types.ts';
import { MODEL_KINDS } from '../training/model-files.ts';
import { OneOf } from './input-schema.ts';

/** An object answer: the properties every reader may count on; others may be added. */
export const Reply = (properties: Record<string, TSchema>, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const IsoTime = Type.String({ description: 'ISO 8601, UTC' });

export const OutcomeSchema = OneOf(OUTCOMES);
export const CaseStatusSchema = OneOf(CASE_STATUSES);

export const DecisionReply = Reply(
  {
    transaction_id: Type.String(),
    score: Type.Number({ minimum: 0, maximum: 1, description: 'Combined risk score (docs/decisions.md)' }),
    outcome: OutcomeSchema,
    reasons: Type.Array(
      Reply({
        kind: OneOf(['rule', 'model'] as const),
        rule: Type.Optional(Type.String({ description: 'A fired rule, as id@version' })),
        reason: Type.Optional(Type.String()),
        model: Type.Optional(Type.String()),
        feature: Type.Optional(Type.String()),
      }),
      { description: 'Why: fired rules and the features that moved the model score most' },
    ),
    rule_score: Type.Number(),
    model_score: Nullable(Type.Number()),
    model_version: Nullable(Type.String()),
    rules_version: Type.String(),
    bypassed: Type.Boolean({ description: 'Decided in bypass mode (approved with bypass_score)' }),
    degraded: Type.Boolean({ description: 'Decided without models' }),
    decided_by: Type.Optional(
      OneOf(['champion', 'challenger'] as const, {
        description:
          'The model set that decided: the champion in force, or the challenger (CHALLENGER_TRAFFIC split); absent on decisions stored before issue 13',
      }),
    ),
    hold: Type.Optional(
      Type.Boolean({
        description:
          'A blocking review: the outcome is review or block_and_review and the caller waits for the verdict (GET /api/v1/transactions/{id}, `hold`); absent on decisions stored before issue 17',
      }),
    ),
    snoozed_rules: Type.Optional(
      Type.Array(
        Reply({
          rule: Type.String({ description: 'id@version' }),
          snooze_id: Type.String(),
          entity_type: OneOf(['account', 'merchant', 'device'] as const),
          until: Type.Number({ description: 'Epoch milliseconds' }),
        }),
        {
          description:
            'Rules that fired but were skipped, muted by a snooze for this entity; absent when none',
        },
      ),
    ),
    shadow: Type.Optional(
      Nullable(
        Reply(
          {
            score: Type.Number({ minimum: 0, maximum: 1 }),
            model_version: Nullable(Type.String()),
          },
          'The other model set’s score of the same transaction with the same rules (shadow scoring); no effect on the outcome. Null without a challenger',
        ),
      ),
    ),
  },
  'The decision and its reasons',
);

export const SubmitReply = Reply({
  transaction_id: Type.String(),
  decision: DecisionReply,
  duplicate: Type.Boolean({ description: 'true when this transaction was sent before (status 200)' }),
});

/** The label known for a transaction: an imported one (its source) or an analyst's verdict (source `verdict`). */
export const TransactionLabelReply = Reply(
  {
    fraud: Type.Boolean(),
    source: Type.String({
      description: 'Where an imported label came from (chargebacks, a file name), or verdict',
    }),
    known_at: Type.Number({ description: 'When it became known, epoch milliseconds' }),
  },
  'The latest label known for the transaction (an import on a tie with a verdict); null when none',
);

/** Where a held decision stands (docs/decisions.md, "Holds"). */
export const HoldReply = Reply(
  {
    status: OneOf(['pending_review', 'approved', 'declined'] as const),
    decided_by: Nullable(Type.String({ description: 'The analyst who gave the final verdict' })),
    decided_at: Nullable(IsoTime),
  },
  'A held decision: pending_review until an analyst decides, then approved or declined; null when not held',
);

export const StoredTransactionReply = Reply({
  transaction: Reply({}, 'The transaction as validated (fields of the request body)'),
  decision: DecisionReply,
  status: CaseStatusSchema,
  decided_at: Type.Number({ description: 'Epoch milliseconds' }),
  updated_at: Type.Number({ description: 'Epoch milliseconds' }),
  label: Nullable(TransactionLabelReply),
  hold: Nullable(HoldReply),
});

const ItemError = Type.Object({
  path: Type.String({ examples: ['transactions[3].amount'] }),
  message: Type.String(),
});

export const BatchReply = Reply({
  results: Type.Array(
    Reply({
      index: Type.Integer({ description: 'Position of the item in the request' }),
      status: Type.Integer({ description: '201 created, 200 duplicate, 400 invalid, 409 conflict' }),
      transaction_id: Type.Optional(Type.String()),
      decision: Type.Optional(DecisionReply),
      error: Type.Optional(Type.String({ description: 'bad_request or conflict (status 400, 409)' })),
      message: Type.Optional(
        Type.String({ description: 'Every error as `path: message` (status 400, 409)' }),
      ),
      errors: Type.Optional(Type.Array(ItemError)),
    }),
  ),
});

const LABEL_RESULTS = ['recorded', 'unchanged', 'unknown_transaction', 'conflict', 'invalid'] as const;

export const LabelsReply = Reply({
  results: Type.Array(
    Reply({
      index: Type.Integer({ description: 'Position of the item in the request' }),
      result: OneOf(LABEL_RESULTS),
      transaction_id: Type.Optional(Type.String()),
      contradicts_verdict: Type.Optional(
        OneOf(['confirmed_fraud', 'legitimate'] as const, {
          description: "recorded: the analysts' verdict this label says otherwise than",
        }),
      ),
      stored: Type.Optional(
        Reply(
          { label: OneOf(['fraud', 'legit'] as const), source: Type.String(), known_at: Type.Number() },
          'conflict: the label recorded before',
        ),
      ),
      message: Type.Optional(Type.String({ description: 'Every error as `path: message`' })),
      errors: Type.Optional(Type.Array(ItemError)),
    }),
  ),
  totals: Reply(Object.fromEntries(LABEL_RESULTS.map((r) => [r, Type.Integer()]))),
});

export const PageReply = (item: TSchema) =>
  Reply({
    items: Type.Array(item),
    next_cursor: Nullable(
      Type.String({ description: 'Pass as `cursor` for the next page; null at the end' }),
    ),
  });

export const AuditEntryReply = Reply({
  id: Type.Integer(),
  at: IsoTime,
  actor: Type.String(),
  action: Type.String({ examples: ['status_change', 'rules_publish', 'settings_change'] }),
  transaction_id: Nullable(Type.String()),
  old_value: Nullable(Type.String()),
  new_value: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const SettingsReply = Reply({
  thresholds: Reply({ review: Type.Number(), block_and_review: Type.Number(), decline: Type.Number() }),
  bypass: Type.Boolean(),
  bypass_score: Type.Number(),
  hold_on_review: Type.Optional(Type.Boolean({ description: 'Every review is a hold (docs/decisions.md)' })),
});

export const RuleValidationReply = Reply({
  valid: Type.Boolean(),
  errors: Type.Array(ItemError, { description: 'Each with its path, such as `rules[3].when.field`' }),
});

export const PublishedRulesReply = Reply({
  version: Type.String(),
  rules: Type.Integer({ description: 'How many rules the document has' }),
});

export const ModelsReply = Reply({
  in_force: Reply({}, 'The champion (in force) per model kind'),
  challengers: Reply({}, 'The challenger per model kind; a kind without one is absent'),
  challenger_traffic: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'Share of transactions the challenger set decides (CHALLENGER_TRAFFIC)',
  }),
  auto_promote: Type.Boolean({
    description: 'AUTO_PROMOTE: the challenger set is promoted when it beats the champions',
  }),
  versions: Type.Array(
    Reply({
      kind: OneOf(MODEL_KINDS),
      id: Type.String({ description: "The artifact's id: what decisions carry in model_version" }),
      version: Type.String(),
      stage: OneOf(MODEL_STAGES),
      in_force: Type.Boolean(),
      training: Nullable(Reply({})),
      metrics: Reply({}, 'Validation metrics from training'),
      created_at: IsoTime,
      stage_changed_at: IsoTime,
      stage_changed_by: Type.String(),
    }),
  ),
  live: Nullable(Reply({}, 'How each model set ranks the labelled live traffic (LiveModelReport)')),
  training: Type.Array(Reply({}), { description: 'Training runs, newest first (at most 20)' }),
});

export { IsoTime, Nullable };
