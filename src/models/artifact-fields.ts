/**
 * The fields every model artifact shares, read and checked, so that a bad file fails at load with a message that
 * names the field instead of scoring garbage later.
 */
import { FEATURE_NAMES } from '../engine/features/catalog.ts';
import { driftProfileFromJSON, type DriftProfile } from './drift-profile.ts';
import type { StoredTrees } from './tree-walk.ts';

/** What a model was trained on (ISO timestamps; the label delay the training set respected). */
export interface TrainingInfo {
  from?: string;
  to?: string;
  rows: number;
  positives?: number;
  label_delay_ms?: number;
}

export interface ArtifactHeader {
  version: string;
  featureNames: string[];
  training: TrainingInfo;
  params: Record<string, number>;
  metrics: Record<string, number>;
  /** Training distribution of the inputs and the score, for drift (artifacts before it have none). */
  driftProfile?: DriftProfile;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function readHeader(
  json: Record<string, unknown>,
  kind: string,
  formatVersion: number,
): ArtifactHeader {
  const fail = (message: string): never => {
    throw new Error(`${kind} artifact: ${message}`);
  };
  if (json.format_version !== formatVersion) {
    fail(`format_version must be ${formatVersion}, got ${JSON.stringify(json.format_version)}`);
  }
  const names = json.feature_names;
  if (!Array.isArray(names) || names.length === 0 || !names.every((x) => typeof x === 'string')) {
    fail('feature_names must be a non-empty array of strings');
  }
  const featureNames = names as string[];
  if (new Set(featureNames).size !== featureNames.length) fail('feature_names has duplicates');
  if (typeof json.version !== 'string' || json.version === '') fail('version must be a non-empty string');
  if (json.training !== undefined && !isRecord(json.training)) fail('training must be an object');
  return {
    version: json.version as string,
    featureNames,
    training: (json.training as TrainingInfo | undefined) ?? { rows: 0 },
    params: numberRecord(json.params, 'params', fail),
    metrics: numberRecord(json.metrics, 'metrics', fail),
    ...(json.drift_profile === undefined ? {} : { driftProfile: driftProfile(json.drift_profile, fail) }),
  };
}

function driftProfile(v: unknown, fail: (m: string) => never): DriftProfile {
  try {
    return driftProfileFromJSON(v);
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** The artifact's `drift_profile` field, when it has one. */
export function driftProfileJSON(profile: DriftProfile | undefined): Record<string, unknown> {
  return profile === undefined ? {} : { drift_profile: profile };
}

function numberRecord(v: unknown, field: string, fail: (m: string) => never): Record<string, number> {
  if (v === undefined) return {};
  if (!isRecord(v)) return fail(`${field} must be an object`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'number') fail(`${field}.${k} must be a number`);
  return v as Record<string, number>;
}

/** The artifact's `trees` object, or a clear error. */
export function readTrees(json: Record<string, unknown>, kind: string): Record<string, unknown> {
  if (!isRecord(json.trees)) throw new Error(`${kind} artifact: trees are missing`);
  return json.trees;
}

export function numberArray(trees: Record<string, unknown>, key: string, kind: string): number[] {
  const v = trees[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
    throw new Error(`${kind} artifact: trees.${key} must be an array of numbers`);
  }
  return v as number[];
}

/** The node arrays every forest artifact stores under `trees`. */
export function readStoredTrees(trees: Record<string, unknown>, kind: string): StoredTrees {
  return {
    roots: Int32Array.from(numberArray(trees, 'roots', kind)),
    feature: Int32Array.from(numberArray(trees, 'feature', kind)),
    threshold: Float64Array.from(numberArray(trees, 'threshold', kind)),
    left: Int32Array.from(numberArray(trees, 'left', kind)),
  };
}

/** The node arrays as JSON, the inverse of readStoredTrees. */
export function storedTreesJSON(trees: StoredTrees): Record<string, number[]> {
  return {
    roots: Array.from(trees.roots),
    feature: Array.from(trees.feature),
    threshold: Array.from(trees.threshold),
    left: Array.from(trees.left),
  };
}

/** Builds a model from artifact data; an error from the model's own checks is named as the artifact's. */
export function fromArtifact<T>(kind: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(`${kind} artifact`) ? message : `${kind} artifact: ${message}`, {
      cause: error,
    });
  }
}

/** Where each model column sits in the engine's feature vector; -1 for a name the catalog does not have. */
export function engineColumnsOf(featureNames: readonly string[]): Int32Array {
  return Int32Array.from(featureNames, (name) => FEATURE_NAMES.indexOf(name));
}

/** The names among `featureNames` the engine does not compute (such a model cannot score engine vectors). */
export function unknownFeatures(featureNames: readonly string[]): string[] {
  return featureNames.filter((name) => !FEATURE_NAMES.includes(name));
}
