/**
 * What every route's OpenAPI entry says the same way, filled in from what the route already declares: the
 * roles it admits (its `config.roles`) as security requirements and in words, and the error answers it can give
 * (400 for input, 401/403 for a credential, 413/415 for a body, 414 for a URL past the limit, 429 past the
 * rate limit), each in the one error shape. Routes declare only their own: summary, tags, success answers,
 * examples, errors particular to them.
 */
import type { RouteOptions } from 'fastify';
import { Type } from 'typebox';

/** Security schemes as the OpenAPI document names them. */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'An API key (`fraudwatch keys create --role ROLE --name NAME`); its role decides the routes',
  },
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT whose `role` claim names the role (HS256 with JWT_SECRET, or RS256/ES256 against JWT_JWKS_FILE); ' +
      'needs `exp` and `sub`',
  },
} as const;

export const ERROR_REPLY_ID = 'ErrorReply';

/** The one error shape (errors.ts), shared by every error answer of the document. */
export const ErrorReplySchema = Type.Object(
  {
    error: Type.String({
      description:
        'Machine-readable kind: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large, ' +
        'unsupported_media_type, rate_limited, request_timeout, uri_too_long, headers_too_large, ' +
        'database_unavailable, internal, or a route-specific one',
      examples: ['bad_request'],
    }),
    message: Type.String({
      description: 'Every detail as `path: message`, joined by "; "',
      examples: ['bypas: unknown field (did you mean "bypass"?)'],
    }),
    details: Type.Array(
      Type.Object({
        path: Type.String({
          description: 'The field: `thresholds.review`, `transactions[3].amount`, a query parameter, `body`',
        }),
        message: Type.String({ description: 'What is wrong and, where it helps, what to send instead' }),
        line: Type.Optional(
          Type.Integer({ description: 'A body that is not JSON: the line of the mistake' }),
        ),
        column: Type.Optional(
          Type.Integer({ description: 'A body that is not JSON: the column of the mistake' }),
        ),
      }),
    ),
  },
  { $id: ERROR_REPLY_ID, additionalProperties: false },
);

const ERROR_REF = { $ref: `${ERROR_REPLY_ID}#` };

/** An error answer of the document: its description and the shared shape. */
export const errorResponse = (description: string) => ({ description, ...ERROR_REF });

const COMMON_ERRORS = {
  400: 'A field, query parameter or path parameter is invalid or unknown, or the body is empty or not JSON',
  401: 'No credential, or one that is not valid, expired or revoked',
  403: "The credential's role may not call this route",
  413: 'The body is larger than the limit (1 MiB by default)',
  414: 'The URL is longer than the limit (8192 bytes)',
  415: 'The body is not application/json',
  429: 'Past the rate limit (RATE_LIMIT_PER_MINUTE per caller); `Retry-After` says when to try again',
} as const;

type Schema = Record<string, unknown>;

/**
 * The onRoute hook: adds security, roles and the common error answers to a route's schema (never overriding
 * what the route declares). Routes hidden from the document are left alone; `unlimited` routes (the probes) get
 * no 429.
 */
export const routeDocumenter =
  (unlimited: readonly string[]) =>
  (route: RouteOptions): void => {
    const schema = (route.schema ??= {}) as Schema;
    if (schema.hide === true) return;
    const roles = route.config?.roles;
    const response = (schema.response ??= {}) as Record<string, unknown>;
    const add = (status: keyof typeof COMMON_ERRORS) =>
      void (response[status] ??= errorResponse(COMMON_ERRORS[status]));
    const takesInput = ['body', 'querystring', 'params'].some((part) => schema[part] !== undefined);
    if (takesInput) add(400);
    if (schema.body !== undefined) {
      add(413);
      add(415);
    }
    add(414);
    if (!unlimited.includes(route.url)) add(429);
    if (roles === undefined) {
      schema.security ??= [];
      return;
    }
    add(401);
    add(403);
    // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs; x-roles says it for any reader.
    schema.security ??= Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [...roles] }));
    schema['x-roles'] ??= [...roles];
    const needed = `Roles: ${roles.join(', ')}.`;
    schema.description =
      typeof schema.description === 'string' ? `${schema.description}\n\n${needed}` : needed;
  };

/** The document's sections, in the order a reader meets them. */
export const API_TAGS = [
  { name: 'transactions', description: 'Score transactions and read them back' },
  { name: 'review', description: 'The review queue, verdicts and the audit trail' },
  { name: 'accounts', description: "An account's profile and recent transactions" },
  { name: 'rules', description: 'Rules changed live: validate, dry run, publish, roll back' },
  { name: 'settings', description: 'Decision thresholds and bypass mode' },
  { name: 'models', description: 'Model versions in force' },
  { name: 'labels', description: 'Labels that arrive after the decision: chargebacks, fraud reports' },
  { name: 'overview', description: "The dashboard's figures and the caller's identity" },
  { name: 'reports', description: 'The weekly report and the fraud-pattern report (JSON, HTML, Markdown)' },
  { name: 'webhooks', description: 'Subscriptions other systems get decisions, cases and labels through' },
  { name: 'queues', description: 'Case queues: filters, members with capacities, SLA targets' },
  {
    name: 'cases',
    description: "Account cases: an account's flagged decisions grouped, assigned, noted and closed",
  },
  { name: 'operations', description: 'Health, readiness and metrics (public)' },
];
