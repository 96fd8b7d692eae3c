/**
 * The URL as the routes' schemas see it. A percent-encoding that is not UTF-8 (`%ED%A0%80`, a lone surrogate as
 * CESU-8 bytes, or `%FF`) must be refused naming its field like any other bad text, not kept as its raw
 * escapes (the query string) nor answered by the router in a shape of its own (the path).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_ID_LENGTH } from '../engine/transaction.ts';
import { STORABLE_MESSAGE } from './input-schema.ts';

/** Stands in for a value that did not decode: the schemas' text pattern refuses it, naming the field. */
const UNDECODABLE = '\ud800';

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return UNDECODABLE;
  }
}

/** `a=1&b=x&a=2` -> { a: ['1', '2'], b: 'x' }; a repeated name becomes an array, which a string schema refuses. */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (query === '') return out;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const before = out[name];
    out[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  return out;
}

/**
 * Router options: path parameters as long as an id may be (counted after decoding, as ids are), with room above
 * it so that the schema, which names the field, is what refuses a longer one.
 */
export const ROUTER_OPTIONS = {
  maxParamLength: 2 * MAX_ID_LENGTH,
  querystringParser: parseQueryString,
};

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** The parameter a route pattern (`/api/v1/transactions/:id`) has at segment `index` of this URL's path. */
function paramAt(segments: string[], index: number, patterns: Iterable<string>): string | null {
  if (index < 0) return null;
  for (const pattern of patterns) {
    const parts = pattern.split('/');
    if (parts.length !== segments.length || !parts[index]!.startsWith(':')) continue;
    if (parts.every((p, i) => p.startsWith(':') || p === segments[i])) return parts[index]!.slice(1);
  }
  return null;
}

/** The parameter holding the first segment that does not decode, or the longest one (`tooLong`). */
export function offendingParam(url: string, patterns: Iterable<string>, tooLong: boolean): string | null {
  const segments = url.split('?')[0]!.split('/');
  const longest = segments.reduce((best, s, i) => (s.length > segments[best]!.length ? i : best), 0);
  return paramAt(segments, tooLong ? longest : segments.findIndex((s) => !decodes(s)), patterns);
}

/**
 * The router's own refusals (a path that does not decode, a parameter far past any id) in the API's error
 * shape; `patterns` are the routes' URL patterns, to name the parameter.
 */
export function frameworkErrors(patterns: Iterable<string>) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const field = offendingParam(request.url, patterns, tooLong) ?? 'path';
    const message = tooLong ? `must be at most ${MAX_ID_LENGTH} characters` : STORABLE_MESSAGE;
    void reply.status(tooLong ? 414 : 400).send({
      error: tooLong ? 'uri_too_long' : 'bad_request',
      message: `${field}: ${message}`,
      details: [{ path: field, message }],
    });
  };
}
