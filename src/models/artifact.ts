/** Loads a model artifact (JSON written by `fraudwatch train`), dispatching on its `kind`. */
import { readFileSync } from 'node:fs';
import type { ScoringModel } from '../engine/model.ts';
import { Gbdt } from './gbdt.ts';
import { IsolationForest } from './isolation-forest.ts';

export function modelFromJSON(json: unknown): ScoringModel {
  if (typeof json !== 'object' || json === null) throw new Error('model artifact: not a JSON object');
  const kind = (json as Record<string, unknown>).kind;
  if (kind === 'gbdt') return Gbdt.fromJSON(json as Record<string, unknown>);
  if (kind === 'iforest') return IsolationForest.fromJSON(json as Record<string, unknown>);
  throw new Error(`model artifact: unknown kind ${JSON.stringify(kind)} (gbdt, iforest)`);
}

export function loadModel(path: string): ScoringModel {
  return modelFromJSON(JSON.parse(readFileSync(path, 'utf8')));
}
