/**
 * The models directory of a data dir: artifacts named KIND-STAMP.json (as `fraudwatch train` and the first start
 * write them; the stamp sorts by time) and `active.json`, which names the artifact in force for each kind once an
 * operator has chosen one. Without a choice, the newest artifact of a kind is in force.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
