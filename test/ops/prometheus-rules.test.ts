// The shipped alert and recording rules, checked and unit-tested by Prometheus's own promtool: every alert
// fires on a series that breaks its condition and stays quiet on one that does not (ops/prometheus/alerts.test.yml).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPS_PROMETHEUS, prometheusBinary } from './prometheus-tool.ts';

const run = (promtool: string, args: string[]) =>
  spawnSync(promtool, args, { cwd: OPS_PROMETHEUS, encoding: 'utf8' });

test('promtool checks the rules and the scrape configuration', (t) => {
  const promtool = prometheusBinary(t, 'promtool');
  if (promtool === null) return;
  const rules = run(promtool, ['check', 'rules', 'recording.yml', 'alerts.yml']);
  assert.equal(rules.status, 0, rules.stdout + rules.stderr);
  const config = run(promtool, ['check', 'config', 'prometheus.yml']);
  assert.equal(config.status, 0, config.stdout + config.stderr);
});

test('every alert fires and stays quiet where its unit tests say (promtool test rules)', (t) => {
  const promtool = prometheusBinary(t, 'promtool');
  if (promtool === null) return;
  const result = run(promtool, ['test', 'rules', 'alerts.test.yml']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  // Each alert of alerts.yml has a firing case in the tests.
  const alerts = [
    ...readFileSync(join(OPS_PROMETHEUS, 'alerts.yml'), 'utf8').matchAll(/- alert: (\w+)/g),
  ].map((m) => m[1]!);
  const tests = readFileSync(join(OPS_PROMETHEUS, 'alerts.test.yml'), 'utf8');
  assert.ok(alerts.length >= 12, `alerts found: ${alerts.join(', ')}`);
  for (const alert of alerts) {
    const firing = new RegExp(`alertname: ${alert}\\s+exp_alerts:\\s+- exp_labels`);
    assert.match(tests, firing, `${alert} has no test in which it fires`);
  }
});

test('the unit tests can fail: a threshold moved past its test series makes promtool fail', (t) => {
  const promtool = prometheusBinary(t, 'promtool');
  if (promtool === null) return;
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-rules-'));
  for (const file of ['recording.yml', 'alerts.test.yml'])
    copyFileSync(join(OPS_PROMETHEUS, file), join(dir, file));
  const alerts = readFileSync(join(OPS_PROMETHEUS, 'alerts.yml'), 'utf8');
  writeFileSync(
    join(dir, 'alerts.yml'),
    alerts.replace('fraudwatch_stream_lag_messages > 1000', 'fraudwatch_stream_lag_messages > 5000'),
  );
  const result = spawnSync(promtool, ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stdout + result.stderr, /FraudwatchStreamLag/);
});

test('every alert names a runbook section that exists', () => {
  const alerts = readFileSync(join(OPS_PROMETHEUS, 'alerts.yml'), 'utf8');
  const links = [...alerts.matchAll(/Runbook: (docs\/runbooks\/[\w-]+\.md)(?:#([\w-]+))?/g)];
  const alertCount = [...alerts.matchAll(/- alert: /g)].length;
  assert.equal(links.length, alertCount, 'one runbook link per alert');
  const root = new URL('../../', import.meta.url);
  // GitHub's anchors: the heading in lower case, spaces as dashes, punctuation dropped.
  const slug = (heading: string) =>
    heading
      .toLowerCase()
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-');
  for (const [, file, anchor] of links) {
    const text = readFileSync(new URL(file!, root), 'utf8');
    if (anchor === undefined) continue;
    const anchors = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
    assert.ok(anchors.includes(anchor), `${file}#${anchor}: no such heading (has ${anchors.join(', ')})`);
  }
});
