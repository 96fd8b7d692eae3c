/**
 * The Models page in a real browser (Debian's Chromium via playwright-core) against a real `fraudwatch serve`
 * with two GBDT versions and an isolation forest: the versions with their stages and validation metrics, the
 * drift of traffic posted to it (bars per input, score PSI over time), an admin's rollback and promotion after a
 * confirmation (the page and the audit trail show them), and an analyst who sees no buttons. What needs the
 * other parts of issue 13 (challengers, live metrics, training runs) is in models-page-after-merge.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { simulate } from '../../src/simulator/index.ts';
import { FOREST, GBDT_FEBRUARY, GBDT_JANUARY, writeModelVersions } from '../training/model-versions.ts';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';
import { modelsPageAfterMerge } from './models-page-after-merge.ts';

const missing = chromiumMissing('the Models page browser tests');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-web-models-page-'));
const keys: Record<string, string> = {};
let server: Served;
let browser: Browser;
let page: Page;
const POSTED = 300;

async function get<T>(path: string, role = 'auditor'): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': keys[role]! } });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return (await r.json()) as T;
}

const inForce = async () => (await get<{ in_force: Record<string, string> }>('/api/v1/models')).in_force;

async function signIn(role: string) {
  await page.goto(server.url);
  await page.locator('#credential, button:has-text("Sign out")').first().waitFor();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('API key or token').fill(keys[role]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function openModels() {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Gradient-boosted trees' }).waitFor();
}

const card = (id: string) => page.locator(`li.version[data-model-id="${id}"]`);

async function shot(name: string) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 8_000, `${name}.png looks empty`);
  assert.ok((await page.locator('main').innerText()).trim().length > 40, `${name}: page has almost no text`);
}

before(async () => {
  if (missing !== null) return;
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(join(dataDir, 'models'));
  writeModelVersions(join(dataDir, 'models'));
  for (const role of ['service', 'analyst', 'admin', 'auditor'])
    keys[role] = createKey(dataDir, role, `${role}-models-page`);
  // RETRAIN_MIN_LABELS 20: the labels posted below are enough for Train now to make challengers.
  server = await startServe(
    dataDir,
    await freePort(),
    { RETRAIN_MIN_LABELS: '20', LIVE_METRICS_INTERVAL_MS: '1000' },
    { models: true },
  );
  // Traffic for the drift: simulated transactions, decided (and counted) by this server now.
  const txs = [...simulate({ accounts: 150, days: 3, seed: 4, idPrefix: 'mp-' })]
    .map((r) => r.tx)
    .slice(0, POSTED);
  assert.equal(txs.length, POSTED);
  const r = await fetch(`${server.url}/api/v1/transactions/batch`, {
    method: 'POST',
    headers: { 'x-api-key': keys.service!, 'content-type': 'application/json' },
    body: JSON.stringify({ transactions: txs }),
  });
  assert.equal(r.status, 200);
  const results = ((await r.json()) as { results: { status: number }[] }).results;
  assert.ok(
    results.every((x) => x.status === 201),
    'every transaction decided',
  );
  // Labels for them, as chargebacks and reviews would bring: every fifth a fraud, the others legitimate.
  const labelled = await fetch(`${server.url}/api/v1/labels`, {
    method: 'POST',
    headers: { 'x-api-key': keys.service!, 'content-type': 'application/json' },
    body: JSON.stringify({
      labels: txs.map((tx, i) => ({
        transaction_id: tx.transaction_id,
        label: i % 5 === 0 ? 'fraud' : 'legit',
      })),
    }),
  });
  assert.equal(labelled.status, 200);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  'an analyst opens the Models page: versions with stages and validation metrics, drift, and no buttons',
  { skip: missing ?? false },
  async () => {
    await signIn('analyst');
    await openModels();
    await page.getByRole('heading', { name: 'Isolation forest' }).waitFor();

    // Each kind's versions side by side, with the stage and the validation metrics from training.
    assert.match(await card(GBDT_FEBRUARY).innerText(), /champion \(in force\)/);
    assert.equal(await card(GBDT_FEBRUARY).getAttribute('aria-current'), 'true');
    assert.match(await card(GBDT_JANUARY).innerText(), /archived/);
    assert.match(await card(FOREST).innerText(), /champion \(in force\)/);
    for (const id of [GBDT_JANUARY, GBDT_FEBRUARY]) {
      const text = await card(id).innerText();
      assert.match(text, /AUC 0\.\d{3}.*AP 0\.\d{3}/s, `${id}: validation metrics`);
      // Simulated history has no window in its artifacts; rows and frauds are always there.
      assert.match(text, /Trained on\s+[\d,]+ rows, [\d,]+ frauds/, `${id}: training`);
    }
    assert.match(
      await page.getByRole('list', { name: 'Gradient-boosted trees versions, newest first' }).innerText(),
      new RegExp(`${GBDT_FEBRUARY}[\\s\\S]*${GBDT_JANUARY}`),
      'newest first',
    );

    // Drift: per model in force, the score PSI the API gives, a bar per input, and the score PSI over time.
    const drift = await get<{
      models: { model_version: string; observed: number; score_psi: number; features: unknown[] }[];
    }>('/api/v1/models/drift');
    assert.deepEqual(drift.models.map((m) => m.model_version).sort(), [FOREST, GBDT_FEBRUARY].sort());
    for (const m of drift.models) {
      assert.equal(m.observed, POSTED, `${m.model_version} counted every decision`);
      const figure = page.locator(`figure[data-drift-model="${m.model_version}"]`);
      await figure.waitFor();
      assert.equal(await figure.getByTestId('score-psi').innerText(), m.score_psi.toFixed(3));
      assert.match(await figure.locator('figcaption').innerText(), new RegExp(`${POSTED} decisions`));
      const bars = figure.getByRole('list', {
        name: `PSI per input of ${m.model_version}, most drifted first`,
      });
      // The 15 most drifted, then all of them on request.
      assert.equal(await bars.locator('li').count(), Math.min(15, m.features.length));
      if (m.features.length > 15) {
        await figure.getByRole('button', { name: `Show all ${m.features.length} inputs` }).click();
        assert.equal(await bars.locator('li').count(), m.features.length);
      }
      // Most drifted first, and the 0.1 and 0.25 lines drawn on every bar.
      const values = (await bars.locator('.bar-value').allInnerTexts()).map(Number);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => b - a),
      );
      assert.equal(await bars.locator('.psi-line').count(), 2 * m.features.length);
    }
    await page
      .getByRole('img', { name: 'Score PSI per hour of each model in force' })
      .locator('canvas')
      .waitFor();

    // An analyst reads: nothing to press that changes models.
    assert.equal(
      await page.getByRole('button', { name: /Promote|Put in force|Archive|Roll back|Train now/ }).count(),
      0,
    );
    await page.getByText(/Only an admin can promote/).waitFor();
    await shot('models-page-analyst');
  },
);

test(
  'an admin rolls back and promotes after a confirmation; the page and the audit trail show each change',
  { skip: missing ?? false },
  async () => {
    await signIn('admin');
    await openModels();

    // Cancel changes nothing.
    await page.getByRole('button', { name: 'Roll back Gradient-boosted trees…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('alertdialog').count(), 0);
    assert.equal((await inForce()).gbdt, GBDT_FEBRUARY);

    // Roll back, confirmed: January's GBDT is in force, on the page and on the server.
    await page.getByRole('button', { name: 'Roll back Gradient-boosted trees…' }).click();
    assert.match(
      await page.getByRole('alertdialog').innerText(),
      /Roll Gradient-boosted trees back.*audited/s,
    );
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${GBDT_JANUARY} is in force` })
      .waitFor();
    assert.equal((await inForce()).gbdt, GBDT_JANUARY);
    assert.match(await card(GBDT_JANUARY).innerText(), /champion \(in force\)/);
    assert.doesNotMatch(await card(GBDT_FEBRUARY).innerText(), /champion/);
    const changes = page.getByRole('list', { name: 'Model changes, newest first' });
    await changes
      .getByText(new RegExp(`admin-models-page rolled back: ${GBDT_FEBRUARY} → ${GBDT_JANUARY}`))
      .waitFor();

    // Promote February back, confirmed.
    await page.getByRole('button', { name: `Promote ${GBDT_FEBRUARY}…` }).click();
    assert.match(
      await page.getByRole('alertdialog').innerText(),
      new RegExp(`${GBDT_FEBRUARY}.*audited`, 's'),
    );
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${GBDT_FEBRUARY} is in force` })
      .waitFor();
    assert.equal((await inForce()).gbdt, GBDT_FEBRUARY);
    assert.match(await card(GBDT_FEBRUARY).innerText(), /champion \(in force\)/);
    await changes
      .getByText(new RegExp(`admin-models-page (put in force|promoted): ${GBDT_JANUARY} → ${GBDT_FEBRUARY}`))
      .waitFor();
    // The newest change is listed first.
    assert.match(await changes.locator('li').first().innerText(), new RegExp(`→ ${GBDT_FEBRUARY}`));

    // The audit trail records both, with who did them.
    const audit = async (action: string) =>
      (
        await get<{ items: { actor: string; old_value: string; new_value: string }[] }>(
          `/api/v1/audit?action=${action}`,
        )
      ).items;
    assert.deepEqual(
      (await audit('model_rollback')).map((a) => [a.actor, a.old_value, a.new_value]),
      [['admin-models-page', GBDT_FEBRUARY, GBDT_JANUARY]],
    );
    const promotions = [...(await audit('model_activate')), ...(await audit('model_promote'))];
    assert.deepEqual(
      promotions.map((a) => [a.actor, a.new_value]),
      [['admin-models-page', GBDT_FEBRUARY]],
    );
    await shot('models-page-admin');
  },
);

test(
  'the Models page fits a phone screen, with every control labelled',
  { skip: missing ?? false },
  async () => {
    await signIn('auditor');
    await openModels();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.locator('figure[data-drift-model]').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `#/models is ${overflow}px wider than the screen`);
      const unlabelled = await page.$$eval('input, select, textarea', (elements) =>
        elements
          .filter((e) => {
            const el = e as HTMLInputElement;
            return (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label') && !el.closest('label');
          })
          .map((e) => e.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unlabelled, []);
      assert.equal(
        await page.getByRole('button', { name: /Promote|Archive|Roll back|Train now/ }).count(),
        0,
      );
      await shot('models-page-narrow');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  },
);

// Training runs, challengers and their promotion and archiving, the live comparison (issue 13 merged).
modelsPageAfterMerge({
  test,
  skip: missing ?? false,
  page: () => page,
  url: () => server.url,
  keys,
  signIn,
  openModels,
});
