/** Starts a worker thread on one of this directory's modules, from source (through tsx) or built. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name` is the module's file name without extension, next to this file. */
export function startThread(name: string, workerData: unknown): Worker {
  // '.ts' when run through tsx (the thread must register the same loader before importing), '.js' once built.
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = JSON.stringify(new URL(`./${name}${ext}`, import.meta.url).href);
  const source =
    ext === '.ts'
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${entry}); })`
      : `import(${entry})`;
  return new Worker(source, { eval: true, workerData });
}
