/** Loads a model artifact (JSON written by `fraudwatch train`) for the engine, dispatching on its `kind`. */
import { readFileSync } from 'node:fs';
import type { ScoringModel } from '../engine/model.ts';
import { unknownFeatures } from './artifact-fields.ts';
import { Gbdt } from './gbdt-model.ts';
import { IsolationForest } from './isolation-forest-model.ts';

export type LoadedModel = Gbdt | IsolationForest;

/** The model in an artifact; refuses one whose features the engine does not compute (it could not score). */
export function modelFromJSON(json: unknown): LoadedModel & ScoringModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('model artifact: not a JSON object');
  }
  const record = json as Record<string, unknown>;
  const model =
    record.kind === 'gbdt'
      ? Gbdt.fromJSON(record)
      : record.kind === 'iforest'
        ? IsolationForest.fromJSON(record)
        : null;
  if (model === null) {
    throw new Error(`model artifact: unknown kind ${JSON.stringify(record.kind)} (gbdt, iforest)`);
  }
  const missing = unknownFeatures(model.featureNames);
  if (missing.length > 0) {
    throw new Error(`${model.name} artifact: features ${missing.join(', ')} are not in the engine's catalog`);
  }
  return model;
}

export function loadModel(path: string): LoadedModel & ScoringModel {
  return modelFromJSON(JSON.parse(readFileSync(path, 'utf8')));
}
