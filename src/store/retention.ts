/**
 * Archives then deletes transactions decided before a cutoff, in batches: each batch is written to the gzip
 * JSON Lines archive and flushed to disk before its rows are deleted, so a crash loses nothing (at worst the
 * last batch appears in the archive and is archived again by the next run). Safe to re-run.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { DecisionStore } from './types.ts';

export interface RetentionResult {
  archived: number;
  deleted: number;
  batches: number;
}

export async function archiveAndDelete(
  store: DecisionStore,
  cutoff: number,
  archivePath: string | null,
  batchSize = 1000,
  /** Leave open cases and confirmed fraud in place. */
  keepCases = false,
): Promise<RetentionResult> {
  const file = archivePath ? createWriteStream(archivePath, { flags: 'a' }) : null;
  const gzip = file ? createGzip() : null;
  if (gzip && file) gzip.pipe(file);
  const result: RetentionResult = { archived: 0, deleted: 0, batches: 0 };
  try {
    for (;;) {
      const batch = await store.oldestDecidedBefore(cutoff, batchSize, keepCases);
      if (batch.length === 0) break;
      if (gzip) {
        const lines = batch.map((s) => JSON.stringify(s)).join('\n') + '\n';
        if (!gzip.write(lines)) await once(gzip, 'drain');
        // Flush this batch through gzip to the file before deleting its rows.
        await new Promise<void>((resolve) => gzip.flush(() => resolve()));
        result.archived += batch.length;
      }
      result.deleted += await store.deleteTransactions(batch.map((s) => s.transaction.transaction_id));
      result.batches++;
    }
  } finally {
    if (gzip && file) {
      gzip.end();
      await once(file, 'close');
    }
  }
  return result;
}
