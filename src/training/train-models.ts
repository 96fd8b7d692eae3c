/**
 * Both models from one training set: the isolation forest on a sample of every decided row, then the GBDT on
 * the labelled rows with that forest's anomaly scores (as it will be used), each as an artifact (JSON).
 */
import type { TrainingInfo } from '../models/artifact-fields.ts';
import { trainGbdt, trainIsolationForest, withAnomalyScores } from './trainers.ts';

export interface TrainingJob {
  /** Labelled engine vectors (row-major, FEATURE_COUNT wide) in time order, and their labels. */
  labelled: { X: Float64Array; y: Uint8Array; n: number };
  /** Engine vectors of decided transactions, labelled or not, for the anomaly model. */
  sample: { X: Float64Array; n: number };
  seed: number;
  training: TrainingInfo;
}

export interface TrainedArtifacts {
  iforest: Record<string, unknown>;
  /** Null when the labels hold too few frauds to learn from. */
  gbdt: Record<string, unknown> | null;
}

export type TrainingReply = ({ ok: true } & TrainedArtifacts) | { ok: false; error: string };

export function trainModels(job: TrainingJob): TrainedArtifacts {
  const iforest = trainIsolationForest(job.sample.X, job.sample.n, job.seed, {
    ...job.training,
    rows: job.sample.n,
  });
  const { X, y, n } = job.labelled;
  withAnomalyScores(X, n, iforest);
  const gbdt = trainGbdt(X, y, n, job.seed, job.training);
  return { iforest: iforest.toJSON(), gbdt: gbdt === null ? null : gbdt.toJSON() };
}
