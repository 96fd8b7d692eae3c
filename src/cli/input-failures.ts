/**
 * The ways a data file given to `train` or `replay` can be unusable, as the one line the command prints before
 * it exits non-zero (no stack trace: none of them is a bug).
 */
import { FileReadError } from '../ingest/file-records.ts';
import { MissingColumns, TooManyBadRows } from '../ingest/labelled-rows.ts';
import { ScoresWriteError } from '../replay/scores-writer.ts';

/** The message for an error that is the input's fault, or null for anything else (a bug: let it throw). */
export function inputFailureMessage(error: unknown): string | null {
  if (error instanceof TooManyBadRows) return error.message;
  if (error instanceof FileReadError || error instanceof MissingColumns || error instanceof ScoresWriteError)
    return error.message;
  return null;
}

/** A file that gave no usable row: a model or a backtest of nothing is no success. */
export function noRowsMessage(file: string, badRows: number): string {
  return badRows === 0
    ? `${file}: no rows to use (the file is empty or has only a header)`
    : `${file}: no valid rows (all ${badRows} rows are bad; see the lines above)`;
}
