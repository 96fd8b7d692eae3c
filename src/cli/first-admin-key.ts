/**
 * The first admin key of a store without keys. It is a secret: printed only to a terminal (a person reads it
 * once), never into a log that stdout may be redirected to; otherwise written to a file only its owner can read,
 * whose path is printed. A key that was missed cannot be shown again: the store keeps only its hash, so later
 * starts say how to make another while no admin key has been seen at work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createApiKey } from '../api/auth.ts';
import type { DecisionStore } from '../store/types.ts';
import { StartupError } from './startup-failure.ts';

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
  const path = resolve(join(dataDir, ADMIN_KEY_FILE));
  try {
    mkdirSync(dataDir, { recursive: true });
    // 'wx': never follow or overwrite a file someone placed there; mode 0600 from the first byte.
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // The key is stored but now unknown to anyone: say how to make one that is not.
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new StartupError(
      `cannot write the first admin key to ${path} (${code}${code === 'EEXIST' ? ': a file is already there' : ''}): remove what is in the way, then make a key with \`${createCommand(dataDir, store.kind === 'postgres')}\``,
    );
  }
  return `created the first admin key; stdout is not a terminal, so it is in ${path} (mode 0600): read it, then delete the file`;
}

/** How to make an admin key, in the syntax `keys create` takes; the data dir only when it is not the default. */
function createCommand(dataDir: string, postgres: boolean): string {
  const where = postgres || dataDir === './data' ? '' : ` --data-dir ${dataDir}`;
  return `fraudwatch keys create --role admin --name NAME${where}`;
}

/**
 * A line for the operator when no admin key is known to be in someone's hands: none active, or none that has
 * ever left a mark in the audit trail (an admin's changes are audited under the key's name; reads are not, so
 * an admin who only read gets the reminder too). Null when an admin key has acted.
 */
export async function adminKeyHint(
  store: DecisionStore,
  dataDir: string,
  now: number,
): Promise<string | null> {
  const keys = await store.listApiKeys();
  if (keys.length === 0) return null;
  const active = keys.filter(
    (k) =>
      k.role === 'admin' && (k.revoked_at === null || k.revoked_at > now) && (k.expires_at ?? Infinity) > now,
  );
  const command = createCommand(dataDir, store.kind === 'postgres');
  if (active.length === 0) return `no active admin key: make one with \`${command}\``;
  for (const name of new Set(active.map((k) => k.name)))
    if ((await store.listAudit({ actor: name, limit: 1 })).length > 0) return null;
  const names = [...new Set(active.map((k) => `"${k.name}"`))].join(', ');
  return `no admin key has made a change yet (${names}); if the key was missed, it cannot be shown again: make another with \`${command}\` and revoke the old one (\`fraudwatch keys list\`, \`fraudwatch keys revoke ID\`)`;
}
