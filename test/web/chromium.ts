/**
 * Debian's Chromium as every dashboard test launches it: its path, the flags this machine's closed network
 * needs, where screenshots go, and the loud skip (a failure in CI) when it is not installed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SHOTS = join(process.cwd(), 'artifacts', 'dashboard');

/** Why `suite` cannot run (null when Chromium is there); throws in CI, where it is required. */
export function chromiumMissing(suite: string): string | null {
  if (existsSync(CHROMIUM)) return null;
  const missing = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${missing}: required in CI`);
  console.error(`\n*** SKIPPING ${suite}: ${missing} ***\n`);
  return missing;
}
