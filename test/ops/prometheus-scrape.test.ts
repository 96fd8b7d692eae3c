// A real Prometheus scraping a real `fraudwatch serve`, with the shipped rules loaded: every PromQL expression of
// the alert and recording rules and of the Grafana dashboard parses and runs in Prometheus, and names only
// series fraudwatch exports (or rules record, or Prometheus itself makes: `up`).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createKey, freePort, startServe, type Served } from '../web/serve-process.ts';
import { GRAFANA_DASHBOARD, OPS_PROMETHEUS, prometheusBinary } from './prometheus-tool.ts';

const running: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of running.reverse()) await stop();
});

async function startPrometheus(binary: string, servePort: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-prometheus-'));
  for (const file of ['recording.yml', 'alerts.yml'])
    copyFileSync(join(OPS_PROMETHEUS, file), join(dir, file));
  // The shipped configuration with this test's target and a fast scrape, so the test waits seconds, not minutes.
  // Not faster than 2 s: a scrape's timeout is its interval, and on a loaded machine /metrics can take over 1 s.
  const shipped = readFileSync(join(OPS_PROMETHEUS, 'prometheus.yml'), 'utf8');
  writeFileSync(
    join(dir, 'prometheus.yml'),
    shipped
      .replace('scrape_interval: 15s', 'scrape_interval: 2s')
      .replace('evaluation_interval: 30s', 'evaluation_interval: 1s')
      .replace("'127.0.0.1:8080'", `'127.0.0.1:${servePort}'`),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  running.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true,
    30_000,
    () => log,
  );
  return url;
}

async function waitFor(
  check: () => Promise<boolean>,
  ms: number,
  detail: () => string = () => '',
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out after ${ms} ms\n${detail()}`);
}

async function query(
  prometheus: string,
  expr: string,
): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}

/** Metric names an expression selects: identifiers outside strings, label matchers, ranges and grouping clauses that are not functions or keywords. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = new Set([
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'and',
    'or',
    'unless',
    'bool',
    'offset',
  ]);
  const names: string[] = [];
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    if (m[2] !== undefined || keywords.has(m[1]!)) continue;
    names.push(m[1]!);
  }
  return names;
}

/** The series names of a /metrics text: each family's name, and a histogram's _bucket, _sum and _count. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    names.add(name!);
    if (type === 'histogram' || type === 'summary')
      for (const s of ['_bucket', '_sum', '_count']) names.add(name! + s);
  }
  return names;
}

/** Grafana's own variables, given values Prometheus accepts. */
const grafanaVariables = (expr: string): string =>
  expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m');

test('a real Prometheus scrapes serve, loads every rule, and runs every alert, rule and dashboard query', async (t) => {
  const binary = prometheusBinary(t, 'prometheus');
  if (binary === null) return;
  const servePort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-scraped-'));
  const key = createKey(dataDir, 'service', 'scrape-test');
  const served: Served = await startServe(dataDir, servePort);
  running.push(() => served.stop());
  const post = async (from: number, count: number): Promise<void> => {
    for (let i = from; i < from + count; i++) {
      const response = await fetch(`${served.url}/api/v1/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({
          transaction_id: `scrape-${i}`,
          account_id: 'a1',
          amount: 10 + i,
          timestamp: Date.now(),
        }),
      });
      assert.equal(response.status, 201, await response.text());
    }
  };
  // Some decisions, so the counters and histograms have samples by the first scrape.
  await post(0, 5);
  const prometheus = await startPrometheus(binary, servePort);

  await waitFor(async () => {
    const up = await query(prometheus, 'up{job="fraudwatch"} == 1');
    return up.status === 'success' && (up.data?.result.length ?? 0) === 1;
  }, 30_000);

  // The rules Prometheus loaded (so the files are the ones it runs), each healthy after an evaluation.
  let rules: { name: string; query: string; type: string; health: string; lastError?: string }[] = [];
  await waitFor(
    async () => {
      const reply = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
        data: { groups: { rules: typeof rules }[] };
      };
      rules = reply.data.groups.flatMap((g) => g.rules);
      return rules.length > 0 && rules.every((r) => r.health === 'ok');
    },
    30_000,
    () =>
      JSON.stringify(
        rules.filter((r) => r.health !== 'ok'),
        null,
        1,
      ),
  );
  const alerts = rules.filter((r) => r.type === 'alerting');
  const recorded = new Set(rules.filter((r) => r.type === 'recording').map((r) => r.name));
  assert.ok(alerts.length >= 12, `alerts loaded: ${alerts.length}`);
  assert.ok(recorded.has('fraudwatch:decisions:rate5m'));

  const dashboard = JSON.parse(readFileSync(GRAFANA_DASHBOARD, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  const panelQueries = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((q) => ({ where: `panel "${p.title}"`, expr: q.expr })),
  );
  assert.ok(panelQueries.length >= 15, `dashboard queries: ${panelQueries.length}`);
  const queries = [...rules.map((r) => ({ where: `rule ${r.name}`, expr: r.query })), ...panelQueries];

  const exported = exportedNames(await (await fetch(`${served.url}/metrics`)).text());
  const problems: string[] = [];
  for (const { where, expr } of queries) {
    const result = await query(prometheus, grafanaVariables(expr));
    if (result.status !== 'success') problems.push(`${where}: ${result.error}`);
    for (const name of metricNames(expr)) {
      if (name === 'up' || recorded.has(name) || exported.has(name)) continue;
      problems.push(`${where}: ${name} is neither exported by fraudwatch nor recorded by a rule`);
    }
  }
  assert.deepEqual(problems, []);

  // The recording rules compute from the scraped series: decisions between two scrapes show up as a rate.
  await post(5, 5);
  let lastTargetState = '';
  await waitFor(
    async () => {
      const rate = await query(prometheus, 'fraudwatch:decisions:rate5m > 0');
      if ((rate.data?.result.length ?? 0) === 1) return true;
      // what the timeout's message shows: whether the scrapes themselves failed, and why
      const targets = (await (await fetch(`${prometheus}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string; lastError: string; lastScrapeDuration: number }[] };
      };
      lastTargetState = JSON.stringify(targets.data.activeTargets);
      return false;
    },
    60_000,
    () => `scrape target: ${lastTargetState}`,
  );
  const health = await query(prometheus, 'fraudwatch_health_status{component="database"}');
  assert.equal((health.data?.result[0] as { value: [number, string] } | undefined)?.value[1], '2');
});

test('metricNames finds the selected series and leaves functions, labels and keywords out', () => {
  assert.deepEqual(
    metricNames(
      'sum by (le) (rate(fraudwatch_x_bucket{route=~"/a(b)?"}[5m])) / on() group_left fraudwatch:y > 0.1 and bool up',
    ),
    ['fraudwatch_x_bucket', 'fraudwatch:y', 'up'],
  );
});
