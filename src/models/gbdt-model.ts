/**
 * A trained GBDT as the engine uses it: probabilities from flattened trees (tree-walk.ts), path contributions
 * for reason codes, and the JSON artifact.
 *
 * Contributions are Saabas's path method: walking a row's decision path in each tree, the change of the node's
 * value at each split is credited to the split's feature. A node's value is its own regularised output
 * (learning rate × -G / (H + λ)), so the sum telescopes: bias + Σ contributions = margin (logit).
 */
import type { FeatureContribution, ScoringModel } from '../engine/model.ts';
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
import { COMBINATION_FEATURE_NAMES } from '../engine/features/catalog.ts';
import { applyLogistic, type LogisticMap } from './calibration.ts';
import type { DriftProfile } from './drift-profile.ts';
import { flatForest, sumLeaves, sumLeavesBatch, type FlatForest, type StoredTrees } from './tree-walk.ts';

export const GBDT_FORMAT_VERSION = 1;

export interface GbdtData {
  featureNames: string[];
  /** Margin before any tree: the log-odds of the (weighted) training labels. */
  base: number;
  /** feature (-1 for a leaf), threshold (go right when x > threshold), left child (right = left + 1). */
  trees: StoredTrees;
  /** Each node's output (learning rate applied); a leaf's is what a walk ending there adds to the margin. */
  value: Float64Array;
  version: string;
  training: TrainingInfo;
  params: Record<string, number>;
  metrics: Record<string, number>;
  driftProfile?: DriftProfile;
  /**
   * Margin (and the combination inputs) to probability, fitted on later held-back rows (calibration.ts);
   * without it the probability is σ(margin).
   */
  calibration?: Calibration;
}

/** A logistic map over the margin and, after it, features of the model's own (a missing one counts 0). */
export interface Calibration extends LogisticMap {
  /** 'margin', then feature names (the combination features). */
  inputs: string[];
}

export class Gbdt implements ScoringModel {
  readonly name = 'gbdt';
  readonly version: string;
  /** A GBDT trained on the rule score or the anomaly score combines them: its score is the decision's. */
  readonly role: 'combiner' | undefined;
  readonly featureNames: readonly string[];
  private readonly data: GbdtData;
  /** Walks over the model's own columns, and over the engine's feature vector (null: names it lacks). */
  private readonly own: FlatForest;
  private readonly engine: FlatForest | null;
  private readonly engineColumns: Int32Array;
  /** Per node, the index in the engine's vector its split reads (-1 at a leaf): explain walks without a lookup. */
  private readonly nodeEngineColumn: Int32Array;
  /** explain's per-column sums, reused: explain runs for every flagged decision. */
  private readonly explainSums: Float64Array;
  private readonly explainTop: number[] = [];
  private readonly scale: Calibration;
  /** Columns of the calibration's feature inputs: in the model's own order, and in the engine's vector. */
  private readonly scaleOwn: Int32Array;
  private readonly scaleEngine: Int32Array;
  private readonly scaleInputs: Float64Array;

  constructor(data: GbdtData) {
    this.data = data;
    this.version = data.version;
    this.featureNames = data.featureNames;
    this.role = data.featureNames.some((name) => COMBINATION_FEATURE_NAMES.includes(name))
      ? 'combiner'
      : undefined;
    this.scale = data.calibration ?? { inputs: ['margin'], weights: [1], intercept: 0 };
    const extra = this.scale.inputs.slice(1);
    this.scaleOwn = Int32Array.from(extra, (name) => data.featureNames.indexOf(name));
    this.scaleInputs = new Float64Array(this.scale.inputs.length);
    const d = data.featureNames.length;
    this.engineColumns = engineColumnsOf(data.featureNames);
    this.scaleEngine = Int32Array.from(this.scaleOwn, (at) => (at < 0 ? -1 : this.engineColumns[at]!));
    this.own = flatForest(data.trees, data.value, d);
    this.engine =
      unknownFeatures(data.featureNames).length === 0
        ? flatForest(data.trees, data.value, d, this.engineColumns)
        : null;
    const { feature } = data.trees;
    this.nodeEngineColumn = Int32Array.from(feature, (f) => (f < 0 ? -1 : this.engineColumns[f]!));
    this.explainSums = new Float64Array(d);
  }

  get trees(): number {
    return this.data.trees.roots.length;
  }

  get metrics(): Readonly<Record<string, number>> {
    return this.data.metrics;
  }

  /** The same trees with a map from margin (and combination inputs) to probability. */
  withCalibration(calibration: Calibration): Gbdt {
    for (const name of calibration.inputs.slice(1)) {
      if (!this.featureNames.includes(name))
        throw new Error(`calibration input ${name} is not a model feature`);
    }
    return new Gbdt({ ...this.data, calibration });
  }

  /** The probability from a margin and the calibration's feature inputs read at `columns` of `X`. */
  private probability(margin: number, X: ArrayLike<number>, offset: number, columns: Int32Array): number {
    const inputs = this.scaleInputs;
    inputs[0] = margin;
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j]!;
      const v = c < 0 ? 0 : X[offset + c]!;
      inputs[j + 1] = Number.isNaN(v) ? 0 : v;
    }
    return applyLogistic(this.scale, inputs);
  }

  /** Leaves of each tree (for checks and diagnostics). */
  leafCounts(): number[] {
    const { roots, feature, left } = this.data.trees;
    const count = (node: number): number =>
      feature[node]! < 0 ? 1 : count(left[node]!) + count(left[node]! + 1);
    return Array.from(roots, (root) => count(root));
  }

  /** Margin (logit) of the row at `offset` of a row-major matrix in the model's column order. */
  marginRow(X: ArrayLike<number>, offset = 0): number {
    return this.data.base + sumLeaves(this.own, X, offset);
  }

  /** Probability of fraud for the row at `offset` of a row-major matrix in the model's column order. */
  predictRow(X: ArrayLike<number>, offset = 0): number {
    return this.probability(this.data.base + sumLeaves(this.own, X, offset), X, offset, this.scaleOwn);
  }

  /** The engine's model slot: reads the model's columns straight from the full feature vector. */
  predict(features: Float64Array): number {
    const margin = this.data.base + sumLeaves(this.engine ?? this.noEngine(), features, 0);
    return this.probability(margin, features, 0, this.scaleEngine);
  }

  /** Probabilities for n rows of a row-major matrix in the model's column order. */
  predictBatch(X: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n).fill(this.data.base);
    sumLeavesBatch(this.own, X, n, this.featureNames.length, out);
    const d = this.featureNames.length;
    for (let i = 0; i < n; i++) out[i] = this.probability(out[i]!, X, i * d, this.scaleOwn);
    return out;
  }

  /**
   * Bias and per-column path contributions (logit units) for the row at `offset`; `columns` maps model columns
   * to positions in X when X is not in the model's order.
   */
  contributions(
    X: ArrayLike<number>,
    offset = 0,
    columns?: ArrayLike<number>,
  ): { bias: number; values: Float64Array } {
    const { roots, feature, threshold, left } = this.data.trees;
    const value = this.data.value;
    const values = new Float64Array(this.featureNames.length);
    let bias = this.data.base;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      bias += value[node]!;
      while (feature[node]! >= 0) {
        const f = feature[node]!;
        const x = X[offset + (columns ? columns[f]! : f)]!;
        const next = x > threshold[node]! ? left[node]! + 1 : left[node]!;
        values[f] = values[f]! + value[next]! - value[node]!;
        node = next;
      }
    }
    return { bias, values };
  }

  /**
   * The `top` features by |contribution| on the engine's vector, signed, in logit units (ties: the earlier
   * column first). The same sums as `contributions`, walked on reused arrays.
   */
  explain(features: Float64Array, top: number): FeatureContribution[] {
    if (this.engine === null) this.noEngine();
    const { roots, feature, threshold, left } = this.data.trees;
    const value = this.data.value;
    const column = this.nodeEngineColumn;
    const sums = this.explainSums.fill(0);
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      for (let f = feature[node]!; f >= 0; f = feature[node]!) {
        const next = left[node]! + (features[column[node]!]! > threshold[node]! ? 1 : 0);
        sums[f] = sums[f]! + value[next]! - value[node]!;
        node = next;
      }
    }
    // The largest |sum| first: insertion into a list of at most `top`, which a later equal one cannot pass.
    const best = this.explainTop;
    best.length = 0;
    for (let f = 0; f < sums.length; f++) {
      const size = Math.abs(sums[f]!);
      if (size === 0) continue;
      let at = best.length;
      while (at > 0 && Math.abs(sums[best[at - 1]!]!) < size) at--;
      if (at < top) {
        best.splice(at, 0, f);
        if (best.length > top) best.pop();
      }
    }
    return best.map((f) => ({
      feature: this.featureNames[f]!,
      value: features[this.engineColumns[f]!]!,
      contribution: sums[f]!,
    }));
  }

  private noEngine(): never {
    throw new Error(
      `gbdt ${this.version}: features ${unknownFeatures(this.featureNames).join(', ')} are not in the engine's catalog`,
    );
  }

  /** What the model saw in training, to measure live drift against; undefined for older artifacts. */
  get driftProfile(): DriftProfile | undefined {
    return this.data.driftProfile;
  }

  /** The same model with the distribution of its training inputs and scores. */
  withDriftProfile(driftProfile: DriftProfile): Gbdt {
    return new Gbdt({ ...this.data, driftProfile });
  }

  toJSON(): Record<string, unknown> {
    const d = this.data;
    return {
      format_version: GBDT_FORMAT_VERSION,
      kind: 'gbdt',
      version: d.version,
      feature_names: d.featureNames,
      training: d.training,
      params: d.params,
      metrics: d.metrics,
      ...driftProfileJSON(d.driftProfile),
      base: d.base,
      ...(d.calibration
        ? {
            calibration: {
              method: 'logistic',
              inputs: d.calibration.inputs,
              weights: d.calibration.weights,
              intercept: d.calibration.intercept,
            },
          }
        : {}),
      trees: {
        ...storedTreesJSON(d.trees),
        value: Array.from(d.value),
      },
    };
  }

  static fromJSON(json: Record<string, unknown>): Gbdt {
    const header = readHeader(json, 'gbdt', GBDT_FORMAT_VERSION);
    const trees = readTrees(json, 'gbdt');
    if (typeof json.base !== 'number') throw new Error('gbdt artifact: base must be a number');
    const calibration = readCalibration(json.calibration);
    return fromArtifact('gbdt', () => {
      const base = json.base as number;
      return new Gbdt({
        ...header,
        ...(calibration ? { calibration } : {}),
        base,
        trees: readStoredTrees(trees, 'gbdt'),
        value: Float64Array.from(numberArray(trees, 'value', 'gbdt')),
      });
    });
  }
}

function readCalibration(v: unknown): Calibration | undefined {
  if (v === undefined) return undefined;
  const fail = (message: string): never => {
    throw new Error(`gbdt artifact: calibration${message}`);
  };
  if (typeof v !== 'object' || v === null) return fail(' must be an object');
  const c = v as Record<string, unknown>;
  if (c.method !== 'logistic') fail('.method must be "logistic"');
  const inputs = c.inputs;
  if (!Array.isArray(inputs) || inputs[0] !== 'margin' || !inputs.every((x) => typeof x === 'string')) {
    fail('.inputs must be an array of names starting with "margin"');
  }
  const weights = c.weights;
  if (
    !Array.isArray(weights) ||
    weights.length !== (inputs as string[]).length ||
    !weights.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    fail('.weights must be one finite number per input');
  }
  if (!((weights as number[])[0]! > 0)) fail('.weights[0] (the margin) must be > 0');
  if (typeof c.intercept !== 'number' || !Number.isFinite(c.intercept))
    fail('.intercept must be a finite number');
  return { inputs: inputs as string[], weights: weights as number[], intercept: c.intercept as number };
}
