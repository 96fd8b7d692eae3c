/** `fraudwatch report weekly|patterns` against an embedded store: formats, --out, --now, and refused options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const DAY = 86_400_000;
const W47 = Date.UTC(2026, 10, 16);
const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-report-cli-'));

function decided(i: number, at: number, outcome: 'approve' | 'review'): NewDecision {
  const id = `c${i}`;
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: 'a',
      merchant_id: 'm',
      amount: 10,
      currency: 'EUR',
      country: 'SE',
    },
    decision: {
      transaction_id: id,
      score: 0.5,
      outcome,
      reasons: outcome === 'review' ? [{ kind: 'rule', rule: 'velocity@1', reason: 'x', score: 0.5 }] : [],
      rule_score: 0.5,
      model_score: null,
      model_version: null,
      rules_version: 'v',
      bypassed: false,
      degraded: false,
    },
    payload_hash: id,
    decided_at: at,
  };
}

const store = new SqliteStore(join(dataDir, 'fraudwatch.db'));
await store.migrate();
await store.saveDecisions([
  ...Array.from({ length: 8 }, (_, i) => decided(i, W47 + i * DAY * 0.8, i < 3 ? 'review' : 'approve')),
  ...Array.from({ length: 6 }, (_, i) =>
    decided(10 + i, W47 + 9 * DAY + 3_600_000 - (i + 1) * 60_000, 'review'),
  ),
]);
await store.setStatus('c0', 'confirmed_fraud', 'alice', null, W47 + DAY);
await store.close();

const NOW = new Date(W47 + 9 * DAY + 3_600_000).toISOString(); // Wednesday of W48, 01:00

function report(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return spawnSync(
    process.execPath,
    ['bin/fraudwatch.js', 'report', ...args, '--data-dir', dataDir, '--now', NOW],
    {
      encoding: 'utf8',
      env,
    },
  );
}

test('report weekly: Markdown by default, JSON, and HTML written with --out', () => {
  const md = report('weekly');
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^# fraudwatch weekly report 2026-W47/);
  assert.match(md.stdout, /\| decisions \| 8 \| 0 \| new \|/);
  assert.match(md.stdout, /\| precision of alerts \| 100\.0 % \| – \| – \|/);
  const json = JSON.parse(report('weekly', '--week', '2026-W47', '--format', 'json').stdout);
  assert.equal(json.current.decisions, 8);
  assert.equal(json.current.alert_rate, 3 / 8);
  assert.equal(json.current.scoring_latency_ms.recorded, false);
  assert.match(json.current.scoring_latency_ms.note, /not recorded/);
  const out = join(dataDir, 'week.html');
  const html = report('weekly', '--format', 'html', '--out', out);
  assert.equal(html.status, 0, html.stderr);
  assert.equal(html.stdout, '');
  const page = readFileSync(out, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<svg /);
});

test('report patterns: the last hour against the week before, with its risk rule', () => {
  const r = report('patterns', '--current', '1h', '--baseline', '7d', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const se = json.dimensions.find((d: { dimension: string }) => d.dimension === 'country').rows[0];
  assert.equal(se.value, 'SE');
  assert.equal(se.current.flagged, 6);
  // The baseline (from W47 + 2d) holds c3-c7, all approved: a flagged rate of 0, so 6 flagged now are new.
  assert.equal(se.baseline.decisions, 5);
  assert.equal(se.risk, 'high');
  assert.match(se.rule, /flagged rate new/);
  assert.match(report('patterns').stdout, /^# fraudwatch fraud patterns: risk /);
});

test('report refuses a malformed week and a bad format, naming the option', () => {
  const week = report('weekly', '--week', '2026-48');
  assert.equal(week.status, 1);
  assert.match(week.stderr, /--week must be "last" or an ISO week/);
  const format = report('weekly', '--format', 'pdf');
  assert.notEqual(format.status, 0);
  assert.match(format.stderr, /--format/);
  const duration = report('patterns', '--current', '3');
  assert.notEqual(duration.status, 0);
  assert.match(duration.stderr, /--current/);
});
