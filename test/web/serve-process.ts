/** A real `fraudwatch serve` in a child process on a free port, with keys created the way an operator would. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/fraudwatch.js', import.meta.url));

/** The embedded store, whatever the caller's environment says, unless `extra` names a database itself. */
function serveEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  if (extra.DATABASE_URL === undefined) delete env.DATABASE_URL;
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `fraudwatch keys create`; the key is alone on the last line of its output. */
export function createKey(dataDir: string, role: string, name: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(
    process.execPath,
    [BIN, 'keys', 'create', '--role', role, '--name', name, '--data-dir', dataDir],
    {
      encoding: 'utf8',
      env: serveEnv(env),
    },
  );
  if (r.status !== 0) throw new Error(`keys create failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

export interface Served {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `models`: load the artifacts in DATA_DIR/models (put them there first, or the first start trains for seconds). */
export async function startServe(
  dataDir: string,
  port: number,
  env: NodeJS.ProcessEnv = {},
  options: { models?: boolean } = {},
): Promise<Served> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...(options.models === true ? [] : ['--no-models']),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: serveEnv(env) },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
