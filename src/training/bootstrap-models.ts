/**
 * Models for a fresh installation: load the artifacts in force from DIR (the operator's choice, else the newest;
 * see model-files.ts), or, when there are none, train both
 * models on simulated history (as `fraudwatch train` would on real history), save them to DIR and use them.
 */
import { mkdirSync } from 'node:fs';
import { Engine } from '../engine/engine.ts';
import { FEATURE_COUNT } from '../engine/features/catalog.ts';
import type { ModelSlot, ScoringModel } from '../engine/model.ts';
import type { LoadedModel } from '../models/artifact.ts';
import type { Gbdt } from '../models/gbdt.ts';
import type { IsolationForest } from '../models/isolation-forest.ts';
import { simulate } from '../simulator/index.ts';
import { FeatureHistory } from './feature-history.ts';
import {
  artifactIds,
  artifactInForce,
  artifactPath,
  loadArtifact,
  MODEL_KINDS,
  MODEL_WEIGHTS,
  writeArtifact,
  type ModelKind,
} from './model-files.ts';
import { trainGbdt, trainIsolationForest, withAnomalyScores, withLabelledMetrics } from './trainers.ts';

/**
 * Runs simulated history through an engine (labels fed back with the default delay) and trains both models on
 * the features it computed, as `fraudwatch train` does on a real file.
 */
export function trainOnSimulation(
  accounts: number,
  days: number,
  seed: number,
): { gbdt: Gbdt; iforest: IsolationForest } {
  const history = simulatedHistory(accounts, days, seed);
  const labelled = history.labelled(-Infinity, Infinity, 1);
  const sample = history.sample(-Infinity, Infinity, 50_000);
  const unlabelled = trainIsolationForest(sample.X, sample.n, seed);
  withAnomalyScores(labelled.X, labelled.n, unlabelled);
  const iforest = withLabelledMetrics(unlabelled, labelled.X, labelled.y, labelled.n);
  const gbdt = trainGbdt(labelled.X, labelled.y, labelled.n, seed);
  if (gbdt === null) throw new Error('simulated history had too few frauds to train on');
  return { gbdt, iforest };
}

/** The feature vectors an engine computes on simulated history, labels fed back as the transactions pass. */
export function simulatedHistory(accounts: number, days: number, seed: number): FeatureHistory {
  const engine = new Engine();
  const history = new FeatureHistory(FEATURE_COUNT);
  for (const row of simulate({ accounts, days, seed })) {
    engine.score(row.tx);
    history.push(row.tx.timestamp, engine.features, row.label);
    engine.feedbackTransaction(row.tx, row.label === 1);
  }
  return history;
}

/**
 * A first start's models: when DIR lacks an artifact of some kind, trains both on simulated history and writes
 * them there (as `fraudwatch train --out DIR` would). Answers whether it trained. The registry then registers
 * them as the first champions (model-registry.ts).
 */
export function trainFirstModels(dir: string, log: (line: string) => void = () => undefined): boolean {
  if (MODEL_KINDS.every((kind) => artifactIds(dir, kind).length > 0)) return false;
  log('no trained models yet: training on simulated history (3,000 accounts, 30 days) ...');
  const { gbdt, iforest } = trainOnSimulation(3000, 30, 7);
  mkdirSync(dir, { recursive: true });
  // Each file is named by its model's version: the id decisions, the registry and the dashboard share.
  for (const model of [gbdt, iforest]) writeArtifact(dir, model);
  log(`trained ${gbdt.version} (${gbdt.trees} trees) and ${iforest.version}; saved in ${dir}`);
  return true;
}

export interface BootstrapResult {
  slots: ModelSlot[];
  trained: boolean;
  files: string[];
  /** Each artifact in force: its kind, id (file name without `.json`) and model, in `slots` order. */
  loaded: { kind: ModelKind; id: string; model: LoadedModel & ScoringModel }[];
}

export function bootstrapModels(dir: string, log: (line: string) => void = () => undefined): BootstrapResult {
  let ids = MODEL_KINDS.map((kind) => artifactInForce(dir, kind));
  let models: (LoadedModel & ScoringModel)[];
  const trained = ids.some((id) => id === null);
  if (!trained) models = ids.map((id) => loadArtifact(dir, id!));
  else {
    log('no trained models yet: training on simulated history (3,000 accounts, 30 days) ...');
    const { gbdt, iforest } = trainOnSimulation(3000, 30, 7);
    mkdirSync(dir, { recursive: true });
    models = [gbdt, iforest];
    // Each file is named by its model's version: the id decisions, the registry and the dashboard share.
    for (const model of models) writeArtifact(dir, model);
    ids = models.map((model) => model.version);
    log(`trained ${gbdt.version} (${gbdt.trees} trees) and ${iforest.version}; saved in ${dir}`);
  }
  return {
    slots: MODEL_KINDS.map((kind, i) => ({ model: models[i]!, weight: MODEL_WEIGHTS[kind] })),
    trained,
    files: ids.map((id) => artifactPath(dir, id!)),
    loaded: MODEL_KINDS.map((kind, i) => ({ kind, id: ids[i]!, model: models[i]! })),
  };
}
