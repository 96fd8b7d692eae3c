/**
 * Start-up time of the command, run from the sources through tsx and from the compiled build (dist/), back to
 * back in one run: `fraudwatch --help` until it exits, and `serve` (embedded store, no models) until it says it
 * is listening. One JSON line with the median of each.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

// from bench/ or, built, from dist/bench/: the package root holds bin/
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, HERE.includes('/dist/') ? '../..' : '..');
const BIN = join(ROOT, 'bin/fraudwatch.js');
type Run = 'source' | 'compiled';

function envFor(run: Run): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FRAUDWATCH_RUN: run, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  return env;
}

function helpMs(run: Run): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [BIN, '--help'], { env: envFor(run), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fraudwatch --help (${run}) failed: ${r.stderr}`);
  return performance.now() - start;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function serveMs(run: Run): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-startup-'));
  const port = await freePort();
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--no-models', '--port', String(port), '--data-dir', dataDir],
    { env: envFor(run), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve(performance.now() - start);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`serve (${run}) exited with ${code}: ${output}`)));
    });
  } finally {
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)]!.toFixed(0));
};

export async function runStartupBench(runs: number): Promise<Record<string, unknown>> {
  // FRAUDWATCH_RUN=compiled refuses a missing or stale build, with the reason
  const check = spawnSync(process.execPath, [BIN, '--version'], {
    env: envFor('compiled'),
    encoding: 'utf8',
  });
  if (check.status !== 0) throw new Error(check.stderr.trim());
  const times: Record<string, number[]> = {
    help_source: [],
    help_compiled: [],
    serve_source: [],
    serve_compiled: [],
  };
  // interleaved, so a change in the machine's speed during the run touches both alike
  for (let i = 0; i < runs; i++) {
    for (const run of ['source', 'compiled'] as const) times[`help_${run}`]!.push(helpMs(run));
    for (const run of ['source', 'compiled'] as const) times[`serve_${run}`]!.push(await serveMs(run));
  }
  const help = { source: median(times.help_source!), compiled: median(times.help_compiled!) };
  const serve = { source: median(times.serve_source!), compiled: median(times.serve_compiled!) };
  return {
    bench: 'startup',
    runs,
    help_source_ms: help.source,
    help_compiled_ms: help.compiled,
    help_ratio: Number((help.compiled / help.source).toFixed(2)),
    serve_source_ms: serve.source,
    serve_compiled_ms: serve.compiled,
    serve_ratio: Number((serve.compiled / serve.source).toFixed(2)),
    node: process.version,
  };
}
