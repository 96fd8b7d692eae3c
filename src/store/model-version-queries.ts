/** The model_versions SQL both stores share (migration 10): listing without artifacts, inserts, stage moves. */
import type { ModelVersionRecord, NewModelVersion } from './types.ts';

export const MODEL_VERSIONS_SQL = `SELECT id, kind, stage, created_at, stage_changed_at, stage_changed_by, champion_seq,
    summary, artifact IS NOT NULL AS has_artifact
  FROM model_versions ORDER BY kind, created_at, id`;

export const MODEL_VERSION_INSERT_COLUMNS =
  'id, kind, stage, created_at, stage_changed_at, stage_changed_by, champion_seq, summary, artifact';

export function modelVersionValues(v: NewModelVersion): unknown[] {
  return [
    v.id,
    v.kind,
    v.stage,
    v.created_at,
    v.stage_changed_at,
    v.stage_changed_by,
    v.champion_seq,
    v.summary,
    v.artifact,
  ];
}

/** SQLite answers the boolean as 0/1. */
export function fromModelVersionRow(
  row: Omit<ModelVersionRecord, 'has_artifact'> & { has_artifact: unknown },
) {
  return { ...row, has_artifact: Boolean(row.has_artifact) } as ModelVersionRecord;
}

/** Thrown inside an update's transaction to roll it back: another process changed the versions first. */
export class ModelVersionsChanged extends Error {}
