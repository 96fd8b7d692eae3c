/**
 * The native load generator of `bench http`: Debian's wrk 4.1 driven by bench/wrk-transactions.lua (fixed rate by
 * pacing, a fresh transaction id a request). It costs far less CPU and latency than the Node generator
 * (bench/open-loop.ts), so the two side by side show how much of a latency figure is the harness's.
 * wrk times each request from its write, not from its due instant: `late` counts requests that waited over 1 ms
 * for a free connection, whose wait the figures omit (the Node generator counts it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuUsPerRequest, reapedChildrenTicks } from './proc-cpu.ts';

export interface WrkOptions {
  url: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  connections: number;
  /** Unique to this run, so no id repeats one an earlier phase sent to the same server. */
  idPrefix: string;
}

export interface WrkResult {
  achieved_rps: number;
  completed: number;
  /** Socket errors, answers over 399 and answers slower than wrk's 10 s timeout. */
  errors: number;
  late: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  /** wrk's own CPU (user + system) a completed request. */
  generator_cpu_us_per_request: number | null;
}

const SCRIPT = fileURLToPath(new URL('./wrk-transactions.lua', import.meta.url));

export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const headerArgs = Object.entries(options.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  // One thread: on a 2-core machine a second one would take the server's core.
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s'];
  const before = reapedChildrenTicks();
  const child = spawn('wrk', [
    ...args,
    '-s',
    SCRIPT,
    ...headerArgs,
    options.url,
    '--',
    String(options.rate),
    options.idPrefix,
  ]);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  // Node has reaped wrk by 'close', so its CPU is in this process's children's totals.
  const after = reapedChildrenTicks();
  const line = out.split('\n').find((l) => l.startsWith('wrk-json '));
  if (code !== 0 || line === undefined) throw new Error(`wrk failed (exit ${code}):\n${out}${err}`);
  const r = JSON.parse(line.slice('wrk-json '.length)) as Record<string, number>;
  const ms = (us: number): number => Math.round(us / 10) / 100;
  const completed = r.requests!;
  return {
    achieved_rps: Math.round(completed / (r.duration_us! / 1e6)),
    completed,
    errors: r.errors! + r.status_errors! + r.timeouts!,
    late: r.late!,
    p50_ms: ms(r.p50_us!),
    p90_ms: ms(r.p90_us!),
    p99_ms: ms(r.p99_us!),
    p999_ms: ms(r.p999_us!),
    max_ms: ms(r.max_us!),
    generator_cpu_us_per_request: cpuUsPerRequest(before, after, completed),
  };
}
