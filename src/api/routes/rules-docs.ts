/**
 * The rules routes as the OpenAPI document shows them. A rules document is checked by the rules validation
 * (`checkRules`, with paths such as `rules[3].when.field` and did-you-mean for unknown keys), not by a schema,
 * so its body schema here describes it and an example shows one.
 */
import { Type } from 'typebox';
import { PublishedRulesReply, Reply, RuleValidationReply } from '../response-schemas.ts';
import { errorResponse } from '../route-docs.ts';

/** A small, valid rules document (docs/rules.md has the language). */
export const RULES_EXAMPLE = {
  version: '2026-12-02.1',
  rules: [
    {
      id: 'extreme_amount_vs_history',
      version: 1,
      description: 'At least 20x the 30-day mean on an account with some history',
      when: {
        all: [
          { field: 'account_count_30d', op: '>=', value: 3 },
          { field: 'amount_ratio_mean_30d', op: '>=', value: 20 },
        ],
      },
      score: 0.5,
      at_least: 'review',
      reason: "Amount more than 20 times the account's usual spending",
    },
  ],
};

export const RulesDocumentBody = Type.Unknown({
  description:
    'A rules document: `version`, optional `description` and `lists`, and `rules` (docs/rules.md). Unknown ' +
    'keys are refused with the nearest known one.',
  examples: [RULES_EXAMPLE],
});

const tags = ['rules'];

export const RULES_DOCS = {
  read: {
    summary: 'The rules document in force and its version',
    tags,
    response: {
      200: {
        description: 'The document in force',
        ...Reply({ version: Type.String(), document: Reply({}) }),
      },
    },
  },
  validate: {
    summary: 'Check a rules document without publishing it',
    description:
      'A document with mistakes is a 200 with `valid: false` and every error; one past the size limits is a 400.',
    tags,
    response: { 200: { description: 'Whether it is valid, and every error', ...RuleValidationReply } },
  },
  dryRun: {
    summary: 'Try a rules document on the last stored decisions (with their features): what would change',
    tags,
    response: {
      200: { description: 'Outcomes now and under the document, and the rules that fired', ...Reply({}) },
    },
  },
  publish: {
    summary: 'Publish a rules document: used by the next decision, kept as a version, audited',
    tags,
    response: { 200: { description: 'Published', ...PublishedRulesReply } },
  },
  versions: {
    summary: 'The published rule versions, newest first',
    tags,
    response: {
      200: {
        description: 'The version in force and the versions kept',
        ...Reply({
          current: Type.String(),
          versions: Type.Array(
            Reply({ version: Type.String(), published_at: Type.String(), published_by: Type.String() }),
          ),
        }),
      },
    },
  },
  rollback: {
    summary: 'Publish a stored rule version again (audited as rules_rollback)',
    tags,
    response: {
      200: { description: 'Published again', ...PublishedRulesReply },
      404: errorResponse('No stored version with this name'),
    },
  },
};
