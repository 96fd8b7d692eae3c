/** How to start another bench script as a Node process, from the sources (through tsx) or from the build. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node's arguments for the script `name` (file name without extension) beside the module whose
 * `import.meta.url` is `besides`: its `.ts` through tsx when that module runs from source, its `.js` once built.
 */
export function scriptArgs(name: string, besides: string): string[] {
  const ext = extname(fileURLToPath(besides));
  const script = fileURLToPath(new URL(`./${name}${ext}`, besides));
  return ext === '.ts' ? ['--import', import.meta.resolve('tsx'), script] : [script];
}
