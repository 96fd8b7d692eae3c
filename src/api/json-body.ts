/**
 * Request bodies are JSON, and a body that is not gets an answer a person can act on: where (line and column)
 * and what was expected, since JSON.parse names no position for most mistakes. Bodies are parsed by Fastify's
 * own parser (which also refuses `__proto__` and `constructor.prototype` keys); only a body it refuses is
 * scanned again, to find the place.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';
import { JSON_ONLY } from './schema-errors.ts';

export interface JsonSyntaxError {
  /** 1-based, counted in UTF-16 code units as the text was received. */
  line: number;
  column: number;
  /** What was found and what was expected there, in words. */
  problem: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function found(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the body';
  const ch = text.codePointAt(offset)!;
  if (ch < 0x20) return `a control character (U+${ch.toString(16).toUpperCase().padStart(4, '0')})`;
  return `'${String.fromCodePoint(ch)}'`;
}

/** The end of the string starting at `start` (a quote), or the offset and reason of its first fault. */
function scanString(text: string, start: number): number | { at: number; problem: string } {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) return i + 1;
    if (ch < 0x20) return { at: i, problem: 'found a control character inside a string: escape it' };
    if (ch === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!HEX4.test(text.slice(i + 2, i + 6)))
          return { at: i, problem: 'found a \\u escape without four hexadecimal digits' };
        i += 5;
      } else if (next !== undefined && ESCAPES.has(next)) {
        i++;
      } else {
        return { at: i, problem: `found an invalid escape '\\${next ?? ''}' in a string` };
      }
    }
  }
  return { at: text.length, problem: "the body ends inside a string: a closing '\"' is missing" };
}

/**
 * The first place where `text` stops being JSON, or null when it is JSON. Iterative (a deeply nested body cannot
 * exhaust the stack); linear in the length of the text.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const open: ('{' | '[')[] = [];
  let mode: 'value' | 'key' | 'after' = 'value';
  let i = 0;
  const fail = (at: number, problem: string): JsonSyntaxError => ({ ...position(text, at), problem });
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const ch = text[i];
    if (mode === 'value') {
      if (ch === '{' || ch === '[') {
        open.push(ch);
        i++;
        while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
        if (text[i] === (ch === '{' ? '}' : ']')) {
          open.pop();
          i++;
          mode = 'after';
        } else mode = ch === '{' ? 'key' : 'value';
      } else if (ch === '"') {
        const end = scanString(text, i);
        if (typeof end !== 'number') return fail(end.at, end.problem);
        i = end;
        mode = 'after';
      } else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (m === null) return fail(i, `found ${found(text, i)}: expected a number`);
        i += m[0].length;
        mode = 'after';
      } else {
        const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
        if (literal === undefined) {
          const hint = ch === "'" ? ' (strings take double quotes)' : '';
          return fail(i, `found ${found(text, i)}: expected a value${hint}`);
        }
        i += literal.length;
        mode = 'after';
      }
    } else if (mode === 'key') {
      if (ch !== '"') {
        const hint = ch === '}' ? ' (no comma before a closing brace)' : '';
        return fail(i, `found ${found(text, i)}: expected a property name in double quotes${hint}`);
      }
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.at, end.problem);
      i = end;
      while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
      if (text[i] !== ':') return fail(i, `found ${found(text, i)}: expected ':' after the property name`);
      i++;
      mode = 'value';
    } else {
      const inside = open.at(-1);
      if (inside === undefined) {
        return i < text.length
          ? fail(i, `found ${found(text, i)} after the JSON value: expected the end`)
          : null;
      }
      const close = inside === '{' ? '}' : ']';
      if (ch === ',') {
        i++;
        mode = inside === '{' ? 'key' : 'value';
      } else if (ch === close) {
        open.pop();
        i++;
      } else {
        return fail(i, `found ${found(text, i)}: expected ',' or '${close}'`);
      }
    }
  }
}

/** The 400 for a body Fastify's parser refused: a syntax error with its place, or a forbidden key. */
export function invalidJsonError(text: string): ApiError {
  const syntax = findJsonSyntaxError(text);
  const message =
    syntax === null
      ? 'must not contain a "__proto__" or "constructor.prototype" key'
      : `invalid JSON at line ${syntax.line}, column ${syntax.column}: ${syntax.problem}`;
  return new ApiError(400, 'bad_request', `body: ${message}`, [
    syntax === null
      ? { path: 'body', message }
      : { path: 'body', message, line: syntax.line, column: syntax.column },
  ]);
}

/** An empty body where one is needed. */
export const emptyBodyError = (): ApiError =>
  new ApiError(400, 'bad_request', `body: is empty; ${JSON_ONLY}`, [
    { path: 'body', message: `is empty; ${JSON_ONLY}` },
  ]);

/**
 * JSON is the one body type: Fastify's parser, with its refusals explained. Plain text is no longer parsed, so
 * a text body is a 415 that says what to send rather than a string a schema refuses in other words.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(emptyBodyError(), undefined);
    parse(request, text, (error: Error | null, value?: unknown) => {
      if (error === null) done(null, value);
      else done(invalidJsonError(text), undefined);
    });
  });
}
