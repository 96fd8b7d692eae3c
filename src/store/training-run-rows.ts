/** How both stores keep training runs (migration 12): the same columns and SQL, the figures as one JSON text. */
import {
  ABANDONED_MESSAGE,
  type NewTrainingRun,
  type TrainingRunRecord,
  type TrainingRunResult,
  type TrainingStatus,
  type TrainingTrigger,
} from './types.ts';

export interface TrainingRunRow {
  id: string;
  trigger_kind: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  actor: string;
  window_ms: number;
  cutoff: number;
  result: string;
}

export const TRAINING_RUN_COLUMNS =
  'id, trigger_kind, status, started_at, finished_at, actor, window_ms, cutoff, result';

export const EMPTY_RESULT: TrainingRunResult = {
  decisions: 0,
  labels: { fraud: 0, legit: 0, assumed_legit: 0 },
  produced: [],
  message: null,
};

export function fromTrainingRunRow(row: TrainingRunRow): TrainingRunRecord {
  return {
    id: row.id,
    trigger: row.trigger_kind as TrainingTrigger,
    status: row.status as TrainingStatus,
    started_at: row.started_at,
    finished_at: row.finished_at,
    actor: row.actor,
    window_ms: row.window_ms,
    cutoff: row.cutoff,
    result: JSON.parse(row.result) as TrainingRunResult,
  };
}

/** Parameters of the insert, in TRAINING_RUN_COLUMNS order: the new run is `running`, with no figures yet. */
export function newTrainingRunValues(run: NewTrainingRun): unknown[] {
  return [
    run.id,
    run.trigger,
    'running',
    run.started_at,
    null,
    run.actor,
    run.window_ms,
    run.cutoff,
    JSON.stringify(EMPTY_RESULT),
  ];
}

/** A run's figures when a dead process left it running. */
export const ABANDONED_RESULT = JSON.stringify({ ...EMPTY_RESULT, message: ABANDONED_MESSAGE });

/** `p(i)` is the store's placeholder for parameter i (1-based). */
export function trainingRunsSql(p: (i: number) => string) {
  return {
    abandon: `UPDATE training_runs SET status = 'failed', finished_at = ${p(1)}, result = ${p(2)}
      WHERE status = 'running' AND started_at < ${p(3)}`,
    // Two claims at once: the unique partial index lets one insert; the other inserts nothing.
    insert: `INSERT INTO training_runs (${TRAINING_RUN_COLUMNS})
      VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(p).join(', ')})
      ON CONFLICT (status) WHERE status = 'running' DO NOTHING RETURNING id`,
    running: `SELECT ${TRAINING_RUN_COLUMNS} FROM training_runs WHERE status = 'running'`,
    finish: `UPDATE training_runs SET status = ${p(1)}, result = ${p(2)}, finished_at = ${p(3)}
      WHERE id = ${p(4)} AND status = 'running'`,
    list: `SELECT ${TRAINING_RUN_COLUMNS} FROM training_runs ORDER BY seq DESC LIMIT ${p(1)}`,
    listOfStatus: `SELECT ${TRAINING_RUN_COLUMNS} FROM training_runs WHERE status = ${p(1)} ORDER BY seq DESC LIMIT ${p(2)}`,
  };
}
