/**
 * Schema errors (ajv's, through Fastify) in the API's words: the field as the rest of the API names it
 * (`thresholds.review`, `transactions[3]`), unknown names refused with the nearest known one, the allowed values
 * of an enum listed once, what was received said back. ajv runs with `verbose`, so each error carries its schema
 * and the offending value.
 */
import type { FastifySchemaValidationError } from 'fastify';
import type { ErrorDetail } from './errors.ts';
import { inputMessage } from './input-schema.ts';
import { joinPath, unknownNameErrors } from './unknown-fields.ts';

/** The advice given wherever a body could not be read. */
export const JSON_ONLY = 'send a JSON body with content-type: application/json';

/** A received value, briefly, for "got ..." (long strings clipped). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return String(value);
}

interface VerboseError extends FastifySchemaValidationError {
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

/** `/transactions/3/amount` -> `transactions[3].amount` (JSON pointer escapes undone). */
export function fieldPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(segment) ? `${out}[${segment}]` : joinPath(out, segment);
  }
  return out;
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function typeMessage(wanted: unknown, data: unknown): string {
  const types = String(wanted).split(',');
  return `must be ${types.map(article).join(' or ')}, got ${describeValue(data)}`;
}

const listValues = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/** The message for one error that is not about an unknown name. */
function messageFor(error: VerboseError): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${listValues(params.allowedValues as unknown[])}, got ${describeValue(error.data)}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(error.data)}`;
    case 'type':
      return typeMessage(params.type, error.data);
    default:
      return inputMessage(error.keyword, params, error.message ?? 'is invalid');
  }
}

/** A union of constants (`anyOf` of `const`) says its values once instead of once per branch. */
function anyOfMessage(error: VerboseError): string {
  const branches = Array.isArray(error.schema) ? (error.schema as Record<string, unknown>[]) : [];
  if (branches.length > 0 && branches.every((b) => 'const' in b))
    return `must be one of ${listValues(branches.map((b) => b.const))}, got ${describeValue(error.data)}`;
  return `does not match any allowed form, got ${describeValue(error.data)}`;
}

/** The names an object of this error has that its schema does not list. */
function unknownNames(error: VerboseError, path: string, what: string): readonly ErrorDetail[] {
  const schema = error.parentSchema;
  if (schema?.additionalProperties !== false) return [];
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const data = error.data;
  return typeof data === 'object' && data !== null
    ? unknownNameErrors(data, new Set(Object.keys(properties)), path, what)
    : [];
}

/**
 * The details of a failed validation of a request part (`body`, `querystring`, `params`); `body` is the parsed
 * body, to tell a missing body from a wrong one.
 */
export function schemaErrorDetails(
  errors: readonly FastifySchemaValidationError[],
  part: string | undefined,
  body: unknown,
): ErrorDetail[] {
  const what = part === 'querystring' ? 'query parameter' : 'field';
  const details: ErrorDetail[] = [];
  const errs = errors as readonly VerboseError[];
  // An anyOf failure comes after one error per branch: it alone is reported, not its branches' errors.
  const unions = errs.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  for (const error of errs) {
    const path = fieldPath(error.instancePath);
    if (part === 'body' && error.instancePath === '' && body === undefined) {
      details.push({ path: 'body', message: `is empty; ${JSON_ONLY}` });
    } else if (error.keyword === 'additionalProperties') {
      details.push(...unknownNames(error, path, what));
    } else if (error.keyword === 'anyOf') {
      details.push({ path, message: anyOfMessage(error) });
    } else if (!unions.some((union) => error.schemaPath.startsWith(union))) {
      const missing = (error.params as { missingProperty?: string }).missingProperty;
      // ajv checks `required` first: a misspelt name is missing and unknown at once, and the unknown one,
      // with its nearest known name, is what tells the client what to fix.
      if (error.keyword === 'required') details.push(...unknownNames(error, path, what));
      details.push({
        path: missing === undefined ? path : joinPath(path, missing),
        message: messageFor(error),
      });
    }
  }
  return details;
}
