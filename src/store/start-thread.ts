/** Starts a worker thread on a module, from source (through tsx) or built. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * `name` is the module's file name without extension, next to the module whose `import.meta.url` is `besides`
 * (by default this one's, in src/store).
 */
export function startThread(
  name: string,
  workerData: unknown,
  besides: string = import.meta.url,
  /** Buffers of `workerData` moved to the thread instead of copied (unusable here afterwards). */
  transferList: ArrayBuffer[] = [],
): Worker {
  // '.ts' when run through tsx (the thread must register the same loader before importing), '.js' once built.
  const ext = extname(fileURLToPath(besides));
  const entry = JSON.stringify(new URL(`./${name}${ext}`, besides).href);
  const source =
    ext === '.ts'
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${entry}); })`
      : `import(${entry})`;
  return new Worker(source, { eval: true, workerData, transferList });
}
