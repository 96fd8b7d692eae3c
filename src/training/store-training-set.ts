/**
 * A training set from what a running service stored: the feature vectors of the transactions it decided in
 * the window before the cut-off, labelled only with what was known by the cut-off, so a model retrained in
 * production learns nothing a backtest at that time could not have known.
 *
 * Labels: an analyst's verdict (the latest given by the cut-off) counts as given. A decision that has none is
 * taken as legitimate once `labelDelayMs` has passed without one (chargebacks and fraud reports come within
 * it); a younger one without a verdict is left out of the labelled rows, since its label may still come.
 */
import { FEATURE_COUNT } from '../engine/features/catalog.ts';
import type { DecisionStore, RecentCursor } from '../store/types.ts';
import { RowPacker } from './feature-history.ts';
import { knownLabels } from './known-labels.ts';
import type { StoredRowsJob } from './train-models.ts';

export interface StoreTrainingOptions {
  /** Epoch ms: no decision after it, no label known after it. */
  cutoff: number;
  /** How far back from the cut-off decisions are taken. */
  windowMs: number;
  labelDelayMs: number;
  /** Newest decisions kept at most (memory: about 300 bytes each). */
  maxRows?: number;
  /** Rows the anomaly model's sample takes at most. */
  sampleRows?: number;
  seed?: number;
}

export interface StoreTrainingSet {
  /** The rows as gathered: the matrices are built where the job trains (prepareTrainingJob). */
  job: StoredRowsJob;
  decisions: number;
  /** Labelled rows by where the label came from. */
  verdicts: { fraud: number; legit: number };
  assumedLegit: number;
  /** Decided too recently to assume anything, and not yet labelled. */
  awaitingLabel: number;
}

// Small pages: each is read and parsed on the serving thread, which decides transactions between two.
const PAGE = 250;

export async function trainingSetFromStore(
  store: DecisionStore,
  options: StoreTrainingOptions,
): Promise<StoreTrainingSet> {
  const { cutoff, windowMs, labelDelayMs } = options;
  const maxRows = options.maxRows ?? 1_000_000;
  const labels = await knownLabels(store, cutoff);
  const from = cutoff - windowMs;
  // newest first from the store, packed in that order (the training side puts them back in time order)
  const rows = new RowPacker(FEATURE_COUNT);
  let oldest = from;
  const counts = { fraud: 0, legit: 0 };
  let assumedLegit = 0;
  let awaitingLabel = 0;
  let after: RecentCursor | undefined;
  scan: for (;;) {
    const page = await store.recentDecisions(PAGE, after);
    for (const row of page) {
      if (row.decided_at < from || rows.size >= maxRows) break scan;
      if (row.decided_at > cutoff || row.features === null) continue;
      const known = labels.get(row.transaction.transaction_id);
      let label: 0 | 1 | null;
      if (known !== undefined) {
        label = known.fraud ? 1 : 0;
        counts[known.fraud ? 'fraud' : 'legit']++;
      } else if (row.decided_at <= cutoff - labelDelayMs) {
        label = 0;
        assumedLegit++;
      } else {
        label = null;
        awaitingLabel++;
      }
      rows.push(row.decided_at, row.features, label);
      oldest = row.decided_at;
    }
    if (page.length < PAGE) break;
    // The embedded store answers a page at once (a resolved promise never lets the event loop run): without a
    // pause here, reading a month of decisions would hold the serving thread for seconds.
    await new Promise((resolve) => setImmediate(resolve));
    const last = page[page.length - 1]!;
    after = { decided_at: last.decided_at, transaction_id: last.transaction.transaction_id };
  }
  const packed = rows.finish();
  return {
    job: {
      rows: packed,
      sampleRows: options.sampleRows ?? 50_000,
      seed: options.seed ?? 1,
      training: {
        from: new Date(oldest).toISOString(),
        to: new Date(cutoff).toISOString(),
        rows: 0,
        positives: counts.fraud,
        label_delay_ms: labelDelayMs,
      },
    },
    decisions: packed.n,
    verdicts: counts,
    assumedLegit,
    awaitingLabel,
  };
}
