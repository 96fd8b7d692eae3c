/**
 * Both models from one training set: the isolation forest on a sample of every decided row, then the GBDT on
 * the labelled rows with that forest's anomaly scores (as it will be used), each as an artifact (JSON).
 */
import type { TrainingInfo } from '../models/artifact-fields.ts';
import { FeatureHistory, type PackedRows } from './feature-history.ts';
import { trainGbdt, trainIsolationForest, withAnomalyScores } from './trainers.ts';

/** A training set as matrices, ready to train on. */
export interface PreparedTrainingJob {
  /** Labelled engine vectors (row-major, FEATURE_COUNT wide) in time order, and their labels. */
  labelled: { X: Float64Array; y: Uint8Array; n: number };
  /** Engine vectors of decided transactions, labelled or not, for the anomaly model. */
  sample: { X: Float64Array; n: number };
  seed: number;
  training: TrainingInfo;
}

/**
 * A training set as the rows a store scan gathered (newest first): the matrices are built where it trains, so
 * a service's serving thread neither builds nor copies them (the rows' arrays are transferred to the thread).
 */
export interface StoredRowsJob {
  rows: PackedRows;
  /** Rows the anomaly model's sample takes at most. */
  sampleRows: number;
  seed: number;
  /** What the artifacts record of their training data; `rows` is the labelled count, filled in when built. */
  training: TrainingInfo;
}

export type TrainingJob = PreparedTrainingJob | StoredRowsJob;

/** The job's matrices: built from stored rows (every row counts as labelled-or-not, in time order). */
export function prepareTrainingJob(job: TrainingJob): PreparedTrainingJob {
  if (!('rows' in job)) return job;
  const history = FeatureHistory.fromNewestFirst(job.rows);
  const labelled = history.labelled(-Infinity, Infinity, 1);
  const sample = history.sample(-Infinity, Infinity, job.sampleRows);
  return { labelled, sample, seed: job.seed, training: { ...job.training, rows: labelled.n } };
}

/**
 * The buffers a thread can take over instead of copying: a stored-rows job's (gathered for this one purpose);
 * a prepared job's matrices are copied, since their caller may still read them.
 */
export function transferablesOf(job: TrainingJob): ArrayBuffer[] {
  if (!('rows' in job)) return [];
  const { features, timestamps, labels } = job.rows;
  return [features.buffer, timestamps.buffer, labels.buffer] as ArrayBuffer[];
}

export interface TrainedArtifacts {
  iforest: Record<string, unknown>;
  /** Null when the labels hold too few frauds to learn from. */
  gbdt: Record<string, unknown> | null;
}

export type TrainingReply = ({ ok: true } & TrainedArtifacts) | { ok: false; error: string };

export function trainModels(stored: TrainingJob): TrainedArtifacts {
  const job = prepareTrainingJob(stored);
  const iforest = trainIsolationForest(job.sample.X, job.sample.n, job.seed, {
    ...job.training,
    rows: job.sample.n,
  });
  const { X, y, n } = job.labelled;
  withAnomalyScores(X, n, iforest);
  const gbdt = trainGbdt(X, y, n, job.seed, job.training);
  return { iforest: iforest.toJSON(), gbdt: gbdt === null ? null : gbdt.toJSON() };
}
