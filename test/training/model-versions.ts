/**
 * A models directory as `fraudwatch train` would leave it after two GBDT trainings (January's, then February's)
 * and one isolation forest, for the tests of versions in force and rollback.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainOnSimulation } from '../../src/training/bootstrap-models.ts';

export const GBDT_JANUARY = 'gbdt-2026-01-01T00-00-00-000Z';
export const GBDT_FEBRUARY = 'gbdt-2026-02-01T00-00-00-000Z';
export const FOREST = 'iforest-2026-01-01T00-00-00-000Z';

/** Writes the three artifacts into `dir`; each GBDT reports its month in its `model_version`. */
export function writeModelVersions(dir: string): void {
  const { gbdt, iforest } = trainOnSimulation(300, 14, 3);
  const write = (id: string, json: unknown) => writeFileSync(join(dir, `${id}.json`), JSON.stringify(json));
  write(GBDT_JANUARY, { ...gbdt.toJSON(), version: 'gbdt-january' });
  write(GBDT_FEBRUARY, { ...gbdt.toJSON(), version: 'gbdt-february' });
  write(FOREST, iforest.toJSON());
}
