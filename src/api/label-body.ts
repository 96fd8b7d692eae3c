/**
 * What `POST /api/v1/labels` checks: the envelope (`{ labels: [...] }`, 1 to MAX_LABELS items, nothing else) as a
 * whole, then each item on its own, so one bad item is reported at its path (`labels[3].label`) while the others
 * are recorded, as the transactions batch does.
 */
import type { FastifySchema } from 'fastify';
import { isStorableText, MAX_ID_LENGTH, type FieldError } from '../engine/transaction.ts';
import { EARLIEST_LABEL_MS, LABEL_FUTURE_SKEW_MS } from '../ingest/label-records.ts';
import type { NewLabel } from '../store/types.ts';
import { badRequest } from './errors.ts';
import { STORABLE_MESSAGE } from './input-schema.ts';
import { epochSecondsError } from './transaction-body.ts';
import { unknownNameErrors } from './unknown-fields.ts';

export const MAX_LABELS = 10_000;
export const MAX_SOURCE_LENGTH = 200;
/** The source of a label sent without one. */
export const API_SOURCE = 'api';

const ITEM_FIELDS: ReadonlySet<string> = new Set(['transaction_id', 'label', 'known_at', 'source']);

/** One item as a label to record, or every problem with it, each at `labels[i].field`. */
export function labelItem(input: unknown, index: number, now: number): NewLabel | { errors: FieldError[] } {
  const at = `labels[${index}]`;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return {
      errors: [{ path: at, message: 'must be an object { transaction_id, label, known_at?, source? }' }],
    };
  const item = input as Record<string, unknown>;
  const errors: FieldError[] = [...unknownNameErrors(item, ITEM_FIELDS, at)];
  const id = item.transaction_id;
  if (id === undefined) errors.push({ path: `${at}.transaction_id`, message: 'is required' });
  else if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH)
    errors.push({
      path: `${at}.transaction_id`,
      message: `must be text of 1 to ${MAX_ID_LENGTH} characters`,
    });
  else if (!isStorableText(id)) errors.push({ path: `${at}.transaction_id`, message: STORABLE_MESSAGE });
  const label = item.label;
  if (label !== 'fraud' && label !== 'legit')
    errors.push({
      path: `${at}.label`,
      message:
        label === undefined ? 'is required' : `must be one of "fraud", "legit", got ${JSON.stringify(label)}`,
    });
  const knownAt = knownAtError(item.known_at, `${at}.known_at`, now);
  if (knownAt !== null) errors.push(knownAt);
  const source = item.source;
  if (
    source !== undefined &&
    (typeof source !== 'string' || source.length === 0 || source.length > MAX_SOURCE_LENGTH)
  )
    errors.push({ path: `${at}.source`, message: `must be text of 1 to ${MAX_SOURCE_LENGTH} characters` });
  else if (typeof source === 'string' && !isStorableText(source))
    errors.push({ path: `${at}.source`, message: STORABLE_MESSAGE });
  if (errors.length > 0) return { errors };
  return {
    transaction_id: id as string,
    fraud: label === 'fraud',
    source: (source as string | undefined) ?? API_SOURCE,
    known_at: (item.known_at as number | undefined) ?? now,
  };
}

/** known_at: absent (now), or whole epoch milliseconds from 2000 on and not in the future. */
function knownAtError(value: unknown, path: string, now: number): FieldError | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    return { path, message: `must be whole epoch milliseconds, got ${JSON.stringify(value)}` };
  const seconds = epochSecondsError(value, path);
  if (seconds !== null) return seconds;
  if (value < EARLIEST_LABEL_MS)
    return { path, message: `${value} is before 2000 (epoch milliseconds expected)` };
  if (value > now + LABEL_FUTURE_SKEW_MS)
    return { path, message: `${value} (${new Date(value).toISOString()}) is in the future` };
  return null;
}

/** What Fastify hands a route's validatorCompiler. */
interface CompiledPart {
  schema: FastifySchema;
  httpPart?: string;
}

/** The route's validatorCompiler: the envelope here, the items in the handler; no query parameters. */
export const labelsBodyValidator = (route: CompiledPart) =>
  route.httpPart === 'body' ? labelsEnvelope : noQueryParameters;

function noQueryParameters(data: unknown) {
  const given = typeof data === 'object' && data !== null ? data : {};
  const unknown = unknownNameErrors(given, new Set(), '', 'query parameter');
  return unknown.length === 0 ? true : { error: badRequest([...unknown]) };
}

function labelsEnvelope(data: unknown) {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { error: badRequest([{ path: '', message: 'must be a JSON object { "labels": [...] }' }]) };
  const unknown = unknownNameErrors(data, new Set(['labels']));
  if (unknown.length > 0) return { error: badRequest([...unknown]) };
  const items = (data as { labels?: unknown }).labels;
  const problem =
    items === undefined
      ? 'is required'
      : !Array.isArray(items)
        ? 'must be an array of labels'
        : items.length === 0 || items.length > MAX_LABELS
          ? `must hold 1 to ${MAX_LABELS} labels, got ${items.length}`
          : null;
  return problem === null ? true : { error: badRequest([{ path: 'labels', message: problem }]) };
}
