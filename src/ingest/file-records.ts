/**
 * Streams the records of a CSV or JSON Lines file, optionally gzip-compressed, as plain objects keyed by column
 * name, each with its line number. Never loads the file whole. The format comes from the extension
 * (.csv, .jsonl, .ndjson, each optionally + .gz); a bad line is reported, not dropped.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { CsvParser } from './csv-parser.ts';

export type FileFormat = 'csv' | 'jsonl';

/** The file cannot be read at all (missing, unreadable, not gzip, truncated): its message names the file. */
export class FileReadError extends Error {}

/** What went wrong, in words a user can act on; the system's own wording is kept in brackets. */
function readFailure(path: string, gzip: boolean, error: NodeJS.ErrnoException): FileReadError {
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a file',
    EACCES: 'cannot be read (permission denied)',
    Z_DATA_ERROR: 'is not a valid gzip file',
    Z_BUF_ERROR: 'is a truncated gzip file',
  };
  const known = error.code === undefined ? undefined : why[error.code];
  const what = known ?? (gzip ? 'cannot be read or decompressed' : 'cannot be read');
  return new FileReadError(`${path}: ${what} (${error.message})`);
}

export type FileRecord =
  | { line: number; record: Record<string, unknown>; error?: undefined }
  | { line: number; error: string; record?: undefined };

export function formatOf(path: string): { format: FileFormat; gzip: boolean } {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const bare = gzip ? lower.slice(0, -3) : lower;
  if (bare.endsWith('.csv')) return { format: 'csv', gzip };
  if (bare.endsWith('.jsonl') || bare.endsWith('.ndjson')) return { format: 'jsonl', gzip };
  throw new Error(`${path}: unknown file type (expected .csv, .jsonl or .ndjson, optionally with .gz)`);
}

/** Bytes of the file read so far (compressed bytes for .gz), for progress and ETA. */
export interface ReadProgress {
  bytes: number;
}

function open(path: string, gzip: boolean, progress?: ReadProgress): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (progress) raw.on('data', (chunk) => (progress.bytes += chunk.length));
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * The records of the file. A file that cannot be read is a FileReadError; `onHeader` sees a CSV file's column
 * names before its first record (and may throw to stop at a header that lacks a needed column).
 */
export async function* readFileRecords(
  path: string,
  progress?: ReadProgress,
  onHeader?: (columns: readonly string[]) => void,
): AsyncGenerator<FileRecord> {
  const { format, gzip } = formatOf(path);
  const stream = open(path, gzip, progress);
  stream.setEncoding('utf8');
  try {
    if (format === 'csv') yield* csvRecords(stream, onHeader);
    else yield* jsonlRecords(stream);
  } catch (e) {
    // Errors with a system or zlib code come from reading; anything else (onHeader's) passes as it is.
    if (typeof (e as NodeJS.ErrnoException).code === 'string') throw readFailure(path, gzip, e as Error);
    throw e;
  }
}

async function* csvRecords(
  stream: Readable,
  onHeader?: (columns: readonly string[]) => void,
): AsyncGenerator<FileRecord> {
  const parser = new CsvParser();
  let header: string[] | null = null;
  const emit = function* (batch: ReturnType<CsvParser['push']>): Generator<FileRecord> {
    for (const { line, fields } of batch) {
      if (header === null) {
        header = fields.map((h) => h.trim());
        onHeader?.(header);
        continue;
      }
      if (fields.length !== header.length) {
        yield { line, error: `has ${fields.length} fields, the header has ${header.length}` };
        continue;
      }
      const record: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) record[header[i]!] = fields[i];
      yield { line, record };
    }
  };
  for await (const chunk of stream) yield* emit(parser.push(chunk as string));
  if (parser.unterminatedQuote) {
    // The open quote swallowed the rest of the file into one field: that record is no row, and its line is
    // where to look.
    yield { line: parser.openRecordLine, error: 'a quoted field opened on this line is never closed' };
    return;
  }
  yield* emit(parser.end());
}

async function* jsonlRecords(stream: Readable): AsyncGenerator<FileRecord> {
  let rest = '';
  let line = 0;
  const parse = (text: string, at: number): FileRecord | null => {
    const trimmed = text.trim();
    if (trimmed === '') return null;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { line: at, error: 'is not a JSON object' };
      }
      return { line: at, record: value as Record<string, unknown> };
    } catch (e) {
      return { line: at, error: `is not valid JSON (${(e as Error).message})` };
    }
  };
  for await (const chunk of stream) {
    const text = rest + (chunk as string);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      line++;
      const r = parse(text.slice(start, nl), line);
      if (r) yield r;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) {
    const r = parse(rest, line + 1);
    if (r) yield r;
  }
}
