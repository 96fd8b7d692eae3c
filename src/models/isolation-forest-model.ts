/**
 * A trained isolation forest as the engine uses it: s(x) = 2^(-E[h(x)] / c(ψ)) in [0,1], higher = more
 * anomalous, from flattened trees (tree-walk.ts) whose leaves hold depth + c(leaf size). No `explain`: the
 * GBDT gives a decision's reasons (docs/models.md).
 */
import type { ScoringModel } from '../engine/model.ts';
import {
  engineColumnsOf,
  fromArtifact,
  numberArray,
  driftProfileJSON,
  readHeader,
  readStoredTrees,
  readTrees,
  storedTreesJSON,
  unknownFeatures,
  type TrainingInfo,
} from './artifact-fields.ts';
import type { DriftProfile } from './drift-profile.ts';
import { flatForest, sumLeaves, sumLeavesBatch, type FlatForest, type StoredTrees } from './tree-walk.ts';

export const IFOREST_FORMAT_VERSION = 1;

/** Average path length of an unsuccessful search in a binary search tree of n points: c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

export interface IsolationForestData {
  featureNames: string[];
  /** ψ, the rows each tree was grown on. */
  sampleSize: number;
  trees: StoredTrees;
  /** Per node; a leaf's is its depth + c(rows that reached it). */
  leafValue: Float64Array;
  version: string;
  training: TrainingInfo;
  params: Record<string, number>;
  metrics: Record<string, number>;
  driftProfile?: DriftProfile;
}

export class IsolationForest implements ScoringModel {
  readonly name = 'iforest';
  readonly role = 'anomaly';
  readonly version: string;
  readonly featureNames: readonly string[];
  private readonly data: IsolationForestData;
  /** Trees × c(ψ): the path-length sum over the trees divided by this is E[h(x)] / c(ψ). */
  private readonly normaliser: number;
  /** Walks over the model's own columns, and over the engine's feature vector (null: names it lacks). */
  private readonly own: FlatForest;
  private readonly engine: FlatForest | null;

  constructor(data: IsolationForestData) {
    this.data = data;
    this.version = data.version;
    this.featureNames = data.featureNames;
    if (data.trees.roots.length === 0) throw new Error('an isolation forest needs at least one tree');
    this.normaliser = averagePathLength(data.sampleSize) * data.trees.roots.length;
    const d = data.featureNames.length;
    this.own = flatForest(data.trees, data.leafValue, d);
    this.engine =
      unknownFeatures(data.featureNames).length === 0
        ? flatForest(data.trees, data.leafValue, d, engineColumnsOf(data.featureNames))
        : null;
  }

  get trees(): number {
    return this.data.trees.roots.length;
  }

  /** Score of the row at `offset` of a row-major matrix in the model's own column order. */
  predictRow(X: ArrayLike<number>, offset = 0): number {
    return Math.pow(2, -sumLeaves(this.own, X, offset) / this.normaliser);
  }

  /** The engine's model slot: reads the model's columns straight from the full feature vector. */
  predict(features: Float64Array): number {
    const engine = this.engine;
    if (engine === null) {
      const missing = unknownFeatures(this.featureNames).join(', ');
      throw new Error(`iforest ${this.version}: features ${missing} are not in the engine's catalog`);
    }
    return Math.pow(2, -sumLeaves(engine, features, 0) / this.normaliser);
  }

  /** Scores of n rows of a row-major matrix in the model's column order. */
  predictBatch(X: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n);
    sumLeavesBatch(this.own, X, n, this.featureNames.length, out);
    for (let i = 0; i < n; i++) out[i] = Math.pow(2, -out[i]! / this.normaliser);
    return out;
  }

  /** What the model saw in training, to measure live drift against; undefined for older artifacts. */
  get driftProfile(): DriftProfile | undefined {
    return this.data.driftProfile;
  }

  /** The same model with the distribution of its training inputs and scores. */
  withDriftProfile(driftProfile: DriftProfile): IsolationForest {
    return new IsolationForest({ ...this.data, driftProfile });
  }

  toJSON(): Record<string, unknown> {
    const d = this.data;
    return {
      format_version: IFOREST_FORMAT_VERSION,
      kind: 'iforest',
      version: d.version,
      feature_names: d.featureNames,
      training: d.training,
      params: d.params,
      metrics: d.metrics,
      ...driftProfileJSON(d.driftProfile),
      sample_size: d.sampleSize,
      trees: {
        ...storedTreesJSON(d.trees),
        leaf_value: Array.from(d.leafValue),
      },
    };
  }

  static fromJSON(json: Record<string, unknown>): IsolationForest {
    const header = readHeader(json, 'iforest', IFOREST_FORMAT_VERSION);
    const trees = readTrees(json, 'iforest');
    const sampleSize = json.sample_size;
    if (typeof sampleSize !== 'number' || !Number.isInteger(sampleSize) || sampleSize < 2) {
      throw new Error('iforest artifact: sample_size must be an integer >= 2');
    }
    return fromArtifact(
      'iforest',
      () =>
        new IsolationForest({
          ...header,
          sampleSize,
          trees: readStoredTrees(trees, 'iforest'),
          leafValue: Float64Array.from(numberArray(trees, 'leaf_value', 'iforest')),
        }),
    );
  }
}
