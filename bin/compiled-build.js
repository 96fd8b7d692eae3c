// Whether dist/ holds a build of the sources as they are now. `npm run build` (scripts/build.js) records the
// newest modification time among the inputs of the build; a later edit makes the build stale, and a stale
// build must never run in place of the code beside it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the compiled program is made from (relative to the package root). */
export const BUILD_INPUTS = ['src', 'bench', 'rules', 'web/dist', 'tsconfig.json', 'tsconfig.build.json'];
export const STAMP_FILE = 'dist/build-stamp.json';
export const COMPILED_ENTRY = 'dist/src/cli/main.js';

/** The newest modification time (ms) of any file under the build's inputs; 0 when none exists. */
export function newestInputMs(root) {
  let newest = 0;
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // an input that does not exist (web/dist before the dashboard is built) adds nothing
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const input of BUILD_INPUTS) visit(join(root, input));
  return newest;
}

/** `fresh`: dist/ was built from the current inputs; `stale`: built, but an input changed since; `none`. */
export function compiledBuildState(root) {
  const stampPath = join(root, STAMP_FILE);
  if (!existsSync(stampPath) || !existsSync(join(root, COMPILED_ENTRY))) return 'none';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return 'stale';
  }
  return typeof stamp.newest_input_ms === 'number' && newestInputMs(root) <= stamp.newest_input_ms
    ? 'fresh'
    : 'stale';
}
