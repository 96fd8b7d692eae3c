/** Debian's Prometheus (`apt-get install -y prometheus`): its binaries, or why a test cannot use them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const OPS_PROMETHEUS = fileURLToPath(new URL('../../ops/prometheus/', import.meta.url));
export const GRAFANA_DASHBOARD = fileURLToPath(new URL('../../ops/grafana/fraudwatch.json', import.meta.url));

/** The binary's path, or null after saying loudly why the test is skipped (in CI it fails instead). */
export function prometheusBinary(t: TestContext, name: 'prometheus' | 'promtool'): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path !== '') return path;
  const why = `${name} is not installed (apt-get install -y prometheus)`;
  if (process.env.CI === 'true') assert.fail(`${why}: required in CI`);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
  return null;
}
