#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ when it was built from the sources as they are now, so a production
// start loads no compiler; otherwise the TypeScript sources through tsx's loader, so `npx fraudwatch` needs no
// build step. FRAUDWATCH_RUN=compiled refuses to start without a fresh build; FRAUDWATCH_RUN=source always uses
// the sources.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPILED_ENTRY, compiledBuildState } from './compiled-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.FRAUDWATCH_RUN ?? 'auto';
if (!['auto', 'compiled', 'source'].includes(mode)) {
  process.stderr.write(`fraudwatch: FRAUDWATCH_RUN must be auto, compiled or source (got "${mode}")\n`);
  process.exit(2);
}
const state = mode === 'source' ? 'none' : compiledBuildState(root);
if (state === 'fresh') {
  await import(pathToFileURL(join(root, COMPILED_ENTRY)).href);
} else if (mode === 'compiled') {
  process.stderr.write(
    `fraudwatch: FRAUDWATCH_RUN=compiled but ${state === 'stale' ? 'dist/ is older than the sources' : 'dist/ holds no build'}; run npm run build\n`,
  );
  process.exit(2);
} else {
  if (state === 'stale') {
    process.stderr.write(
      'fraudwatch: dist/ is older than the sources; running the sources (npm run build refreshes it)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
