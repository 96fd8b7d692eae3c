/**
 * The valid rows of a labelled file, in file order, with bad rows reported (line and column) and counted rather
 * than dropped in silence; past `maxErrors` bad rows the read stops with an error.
 */
import type { CurrencySettings } from '../engine/currency-settings.ts';
import { formatErrors, type Transaction } from '../engine/transaction.ts';
import { REQUIRED_FIELDS, suggestMap, toLabelledRow, type ColumnMap } from './column-map.ts';
import { readFileRecords, type ReadProgress } from './file-records.ts';

export class TooManyBadRows extends Error {}

/** The header lacks a column every row needs: reported once, from the header, instead of on every row. */
export class MissingColumns extends Error {}

function checkHeader(file: string, map: ColumnMap, columns: readonly string[]): void {
  const missing = [...REQUIRED_FIELDS, 'label']
    .map((field) => ({ field, column: map.get(field) ?? field }))
    .filter(({ column }) => !columns.includes(column));
  if (missing.length === 0) return;
  const named = missing.map(({ field, column }) =>
    field === column ? `"${field}"` : `"${column}" (${field})`,
  );
  const unmapped = missing.filter(({ field }) => !map.has(field)).map(({ field }) => field);
  const advice =
    unmapped.length > 0
      ? `name the columns to use with ${suggestMap(unmapped, columns)}`
      : 'fix the column names given to --map';
  throw new MissingColumns(
    `${file}:1: the header has no column ${named.join(', ')}; it has ${columns.map((c) => `"${c}"`).join(', ')}: ${advice}`,
  );
}

export interface LabelledRowsOptions {
  file: string;
  map: ColumnMap;
  maxErrors: number;
  progress?: ReadProgress;
  onBadRow?: (line: number, message: string) => void;
  /** The default currency and FX table rows are validated with (the engine scoring them uses the same). */
  currency?: CurrencySettings;
}

export interface BadRowCount {
  bad: number;
}

export async function* labelledRows(
  options: LabelledRowsOptions,
  counter: BadRowCount,
): AsyncGenerator<{ tx: Transaction; label: 0 | 1 }> {
  const bad = (line: number, message: string): void => {
    counter.bad++;
    options.onBadRow?.(line, message);
    if (counter.bad > options.maxErrors) throw new TooManyBadRows(`more than ${options.maxErrors} bad rows`);
  };
  const onHeader = (columns: readonly string[]) => checkHeader(options.file, options.map, columns);
  for await (const item of readFileRecords(options.file, options.progress, onHeader)) {
    if (item.error !== undefined) {
      bad(item.line, item.error);
      continue;
    }
    const row = toLabelledRow(item.record, options.map, true, options.currency);
    if (!row.ok) {
      bad(item.line, formatErrors(row.errors).replace(/\n/g, '; '));
      continue;
    }
    yield { tx: row.tx, label: row.label === 1 ? 1 : 0 };
  }
}
