/**
 * The models directory of a data dir: artifacts named KIND-STAMP.json (as `fraudwatch train` and the first start
 * write them; the stamp sorts by time) and `active.json`. The stages (which version is in force) live in the store
 * (model-registry.ts); active.json is read once, at the very first start, as the operator's choice of champions,
 * and is otherwise a mirror of the champions for what reads the directory alone (`fraudwatch drift`).
 *
 * An artifact has one id, its file name without `.json`: decisions report it as `model_version`, the registry,
 * the API and the dashboard name it so. New artifacts are written under their own version (`newModelVersion`);
 * older ones whose internal version differs are loaded under their file name, the internal one kept as an alias.
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoringModel } from '../engine/model.ts';
import type { TrainingInfo } from '../models/artifact-fields.ts';
import { modelFromJSON, type LoadedModel } from '../models/artifact.ts';

export const MODEL_KINDS = ['gbdt', 'iforest'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** How much each kind weighs in the engine's model score. */
export const MODEL_WEIGHTS: Record<ModelKind, number> = { gbdt: 1, iforest: 0.25 };

const ACTIVE_FILE = 'active.json';

export function isModelKind(kind: unknown): kind is ModelKind {
  return (MODEL_KINDS as readonly unknown[]).includes(kind);
}

/** The artifact ids (file names without `.json`) of one kind, oldest first. */
export function artifactIds(dir: string, kind: ModelKind): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function artifactPath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

/** A version for a model trained now that is also a file name everywhere (no `:` or `.`): KIND-STAMP. */
export function newModelVersion(kind: ModelKind, at: Date = new Date()): string {
  return `${kind}-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** Writes a trained model under its own version, so its file name and the version decisions carry are one. */
export function writeArtifact(dir: string, model: { version: string; toJSON(): unknown }): string {
  const path = artifactPath(dir, model.version);
  writeFileSync(path, JSON.stringify(model.toJSON()));
  return path;
}

/** What the registry lists of an artifact without loading its model. */
export interface ArtifactSummary {
  /** The version written inside the file; differs from the id only in files written before ids were one. */
  artifact_version: string | null;
  training: TrainingInfo | null;
  /** Validation metrics from training (e.g. validation_auc); empty when training computed none. */
  metrics: Record<string, number>;
  created_at: string;
}

/** The listing's fields of a parsed artifact (anything unexpected is left out rather than refused). */
export function summaryOfArtifact(json: unknown): Omit<ArtifactSummary, 'created_at'> {
  const fields = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const metrics: Record<string, number> = {};
  if (typeof fields.metrics === 'object' && fields.metrics !== null) {
    for (const [k, v] of Object.entries(fields.metrics)) if (typeof v === 'number') metrics[k] = v;
  }
  return {
    artifact_version: typeof fields.version === 'string' ? fields.version : null,
    training:
      typeof fields.training === 'object' && fields.training !== null
        ? (fields.training as TrainingInfo)
        : null,
    metrics,
  };
}

const summaries = new Map<string, { stamp: string; summary: ArtifactSummary }>();

/** The artifact's header fields, read once per file version (cached by modification time and size). */
export function artifactSummary(dir: string, id: string): ArtifactSummary {
  const path = artifactPath(dir, id);
  const stat = statSync(path);
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const cached = summaries.get(path);
  if (cached?.stamp === stamp) return cached.summary;
  let json: unknown = {};
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // A broken file is listed all the same; putting it in force says what is wrong with it.
  }
  const summary: ArtifactSummary = { ...summaryOfArtifact(json), created_at: stat.mtime.toISOString() };
  summaries.set(path, { stamp, summary });
  return summary;
}

/**
 * The id of `kind`'s artifact named `idOrAlias`: its id, or the internal version of an older file whose name
 * differs (what decisions made before ids were one carry). Null when none matches.
 */
export function resolveArtifactId(dir: string, kind: ModelKind, idOrAlias: string): string | null {
  const ids = artifactIds(dir, kind);
  if (ids.includes(idOrAlias)) return idOrAlias;
  return ids.find((id) => artifactSummary(dir, id).artifact_version === idOrAlias) ?? null;
}

/** Loads artifact `id` for the engine under its id, so the decisions it scores carry the name it is listed by. */
export function loadArtifact(dir: string, id: string): LoadedModel & ScoringModel {
  return modelFromText(readFileSync(artifactPath(dir, id), 'utf8'), id);
}

/** An artifact's JSON text (a file's, or the store's) as the model decisions name `id`. */
export function modelFromText(text: string, id: string): LoadedModel & ScoringModel {
  const json: unknown = JSON.parse(text);
  if (typeof json === 'object' && json !== null && !Array.isArray(json))
    return modelFromJSON({ ...json, version: id });
  return modelFromJSON(json);
}

/** The operator's choices from active.json; an entry whose artifact is gone is ignored. */
export function readActive(dir: string): Partial<Record<ModelKind, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, ACTIVE_FILE), 'utf8'));
  } catch {
    return {};
  }
  const out: Partial<Record<ModelKind, string>> = {};
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const kind of MODEL_KINDS) {
    const id = (parsed as Record<string, unknown>)[kind];
    if (typeof id === 'string' && id.startsWith(`${kind}-`) && existsSync(artifactPath(dir, id)))
      out[kind] = id;
  }
  return out;
}

/** Records the artifacts in force (written whole, then renamed, so a crash leaves the old file or the new). */
export function writeActive(dir: string, active: Partial<Record<ModelKind, string>>): void {
  const tmp = join(dir, `${ACTIVE_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(active, null, 2)}\n`);
  renameSync(tmp, join(dir, ACTIVE_FILE));
}

/** The artifact in force for a kind: the operator's choice, else the newest; null when there is none. */
export function artifactInForce(dir: string, kind: ModelKind): string | null {
  const chosen = readActive(dir)[kind];
  if (chosen !== undefined) return chosen;
  const ids = artifactIds(dir, kind);
  return ids.length ? ids[ids.length - 1]! : null;
}
