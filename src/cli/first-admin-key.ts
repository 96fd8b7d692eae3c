/**
 * The first admin key of a store without keys. It is a secret: printed only to a terminal (a person reads it
 * once), never into a log that stdout may be redirected to; otherwise written to a file only its owner can read,
 * whose path is printed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createApiKey } from '../api/auth.ts';
import type { DecisionStore } from '../store/types.ts';

export const ADMIN_KEY_FILE = 'admin-key.txt';

/** Creates the key when the store has none; returns what to tell the operator, or null when nothing was made. */
export async function createFirstAdminKey(
  store: DecisionStore,
  dataDir: string,
  toTerminal: boolean,
): Promise<string | null> {
  if ((await store.listApiKeys()).length > 0) return null;
  const { key } = await createApiKey(store, 'admin', 'first-admin', Date.now(), { actor: 'serve' });
  if (toTerminal) return `created the first admin key; it is shown once:\n${key}`;
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(join(dataDir, ADMIN_KEY_FILE));
  // 'wx': never follow or overwrite a file someone placed there; mode 0600 from the first byte.
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return `created the first admin key; stdout is not a terminal, so it is in ${path} (mode 0600): read it, then delete the file`;
}
