// The runbooks' `sh runnable` blocks (docs/runbooks/*.md) run as written against a live serve, so a renamed
// route, option or field breaks this test instead of an operator's night.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createKey, freePort, startServe } from '../web/serve-process.ts';

const RUNBOOKS = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/fraudwatch.js', import.meta.url));

/** The `sh runnable` fenced blocks of a markdown text, in order. */
export function runnableBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh runnable\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

test('every runnable block of the runbooks works against a live serve', async (t) => {
  for (const tool of ['curl', 'jq']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) continue;
    const why = `${tool} is not installed (apt-get install -y ${tool})`;
    if (process.env.CI === 'true') assert.fail(`${why}: required in CI`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const books = readdirSync(RUNBOOKS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ file: f, blocks: runnableBlocks(readFileSync(join(RUNBOOKS, f), 'utf8')) }));
  const runnable = books.filter((b) => b.blocks.length > 0);
  assert.ok(runnable.length >= 5, `runbooks with runnable blocks: ${runnable.map((b) => b.file).join(', ')}`);

  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-runbooks-'));
  const key = createKey(dataDir, 'admin', 'ops');
  const served = await startServe(dataDir, await freePort());
  // `fraudwatch` on PATH, as an operator has it
  const bin = mkdtempSync(join(tmpdir(), 'fraudwatch-bin-'));
  writeFileSync(join(bin, 'fraudwatch'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'fraudwatch'), 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    FW: served.url,
    KEY: key,
    FRAUDWATCH_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  try {
    for (const { file, blocks } of runnable) {
      for (const [i, block] of blocks.entries()) {
        const cwd = mkdtempSync(join(tmpdir(), 'fraudwatch-runbook-step-'));
        const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd, env, encoding: 'utf8' });
        assert.equal(
          run.status,
          0,
          `${file} block ${i + 1} failed:\n${block}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
        );
      }
    }
  } finally {
    await served.stop();
  }
});

test('runnableBlocks takes only the blocks marked runnable', () => {
  const md =
    '# x\n```sh\nnot this\n```\ntext\n```sh runnable\necho a\necho b\n```\n```sh runnable\necho c\n```\n';
  assert.deepEqual(runnableBlocks(md), ['echo a\necho b\n', 'echo c\n']);
});
