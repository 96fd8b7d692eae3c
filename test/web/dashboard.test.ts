/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a real `fraudwatch serve`
 * with the embedded store: sign in, review a flagged transaction, edit and publish a rule, read-only auditor,
 * narrow screens, a lost connection. Screenshots go to artifacts/dashboard/ (not committed).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeModelVersions } from '../training/model-versions.ts';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the dashboard browser tests');

const JWT_SECRET = 'dashboard-test-secret-of-enough-length-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-web-'));
const keys: Record<string, string> = {};
let port = 0;
let server: Served;
let browser: Browser;
let page: Page;

async function submit(tx: Record<string, unknown>) {
  const r = await fetch(`${server.url}/api/v1/transactions`, {
    method: 'POST',
    headers: { 'x-api-key': keys.service!, 'content-type': 'application/json' },
    body: JSON.stringify(tx),
  });
  assert.ok(r.status === 201 || r.status === 200, `submit ${tx.transaction_id}: ${r.status}`);
  return (await r.json()) as {
    decision: { outcome: string; rules_version: string; reasons: { reason?: string }[] };
  };
}

/** Three ordinary purchases, then one far above them: the default rules flag it. */
async function flaggedFor(account: string, id: string) {
  const base = Date.parse('2026-11-20T10:00:00Z');
  for (let i = 0; i < 3; i++) {
    await submit({
      transaction_id: `${id}-warmup-${i}`,
      timestamp: base + i * 3_600_000,
      account_id: account,
      amount: 20,
      currency: 'EUR',
      merchant_id: 'shop-1',
      city: 'Lyon',
      device_id: 'dev-1',
    });
  }
  return submit({
    transaction_id: id,
    timestamp: base + 4 * 3_600_000,
    account_id: account,
    amount: 2500,
    currency: 'EUR',
    merchant_id: 'shop-9',
    city: 'Lyon',
    device_id: 'dev-1',
  });
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

async function shot(name: string) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  // A rendered page: a real image, and text on it (not a blank or an error-only page).
  assert.ok(statSync(path).size > 8_000, `${name}.png looks empty`);
  const text = await page.locator('main').innerText();
  assert.ok(text.trim().length > 40, `${name}: page has almost no text`);
}

async function signIn(role: string) {
  await signInAt(server.url, keys[role]!);
}

async function signInAt(url: string, key: string) {
  await page.goto(url);
  // Either the sign-in form, or the shell of a session kept in this tab: sign out of that first.
  await page.locator('#credential, button:has-text("Sign out")').first().waitFor();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('API key or token').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** Every form control can be named by assistive technology. */
async function assertControlsLabelled(where: string) {
  const unlabelled = await page.$$eval('input, select, textarea', (elements) =>
    elements
      .filter((e) => {
        const el = e as HTMLInputElement;
        if (el.type === 'hidden') return false;
        return (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label') && !el.closest('label');
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], `${where}: controls without a label`);
}

before(async () => {
  if (missing !== null) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const role of ['service', 'analyst', 'admin', 'auditor'])
    keys[role] = createKey(dataDir, role, role === 'analyst' ? 'alice' : `${role}-ui`);
  port = await freePort();
  server = await startServe(dataDir, port, { JWT_SECRET });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  'a wrong key is refused with a plain message; an analyst signs in and sees the overview',
  { skip: missing ?? false },
  async () => {
    await page.goto(server.url);
    await page.getByLabel('API key or token').fill(`fw_${'A'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /unknown|invalid|not valid|key/i })
      .waitFor();
    await flaggedFor('acct-ui-1', 'ui-flagged-1');
    await signIn('analyst');
    await page.getByText('Alert rate').waitFor();
    assert.match(await page.locator('.who').innerText(), /alice\s+analyst/);
    await page
      .getByRole('img', { name: /Decisions a minute by outcome/ })
      .locator('canvas')
      .waitFor();
    await assertControlsLabelled('overview');
    await shot('overview');
  },
);

test(
  'a flagged transaction is in the queue; confirming it by keyboard changes its status, the audit and the metrics',
  { skip: missing ?? false },
  async () => {
    const before = await metric('fraudwatch_case_reviews_total{status="confirmed_fraud"}');
    await signIn('analyst');
    await page.getByRole('link', { name: 'Review queue' }).click();
    const row = page.locator('tr[data-transaction-id="ui-flagged-1"]');
    await row.waitFor();
    await assertControlsLabelled('queue');
    await shot('queue');
    await row.click();
    await page.locator('table.queue').focus();
    await page.keyboard.press('f');
    await row.locator('.badge.status-confirmed_fraud').waitFor();
    await page.getByRole('status').filter({ hasText: 'Recorded ui-flagged-1' }).waitFor();

    const stored = await (
      await fetch(`${server.url}/api/v1/transactions/ui-flagged-1`, {
        headers: { 'x-api-key': keys.auditor! },
      })
    ).json();
    assert.equal(stored.status, 'confirmed_fraud');
    assert.equal(await metric('fraudwatch_case_reviews_total{status="confirmed_fraud"}'), before + 1);

    await row.getByRole('link', { name: 'ui-flagged-1' }).click();
    await page.getByRole('heading', { name: 'Transaction ui-flagged-1' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Review timeline' });
    await timeline.getByText(/alice\s+open → confirmed_fraud/).waitFor();
    assert.match(await page.getByTestId('case-status').innerText(), /confirmed fraud/i);
    await page.getByRole('list', { name: /Rules that fired/ }).waitFor();
    await page
      .getByRole('table')
      .filter({ hasText: 'Recent transactions of acct-ui-1' })
      .getByText('ui-flagged-1-warmup-0')
      .waitFor();
    await assertControlsLabelled('detail');
    await shot('transaction');
  },
);

test(
  'a verdict the server refuses is rolled back and the reason shown',
  { skip: missing ?? false },
  async () => {
    await flaggedFor('acct-ui-3', 'ui-flagged-3');
    await signIn('analyst');
    await page.goto(`${server.url}/#/tx/ui-flagged-3`);
    await page.getByRole('button', { name: 'Mark legitimate' }).waitFor();
    // The server answers this one PUT with a 500: the optimistic status must come back.
    await page.route('**/api/v1/anomalies/ui-flagged-3', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'internal', message: 'database unavailable', details: [] }),
      }),
    );
    await page.getByRole('button', { name: 'Mark legitimate' }).click();
    await page.getByRole('alert').filter({ hasText: 'database unavailable' }).waitFor();
    assert.match(await page.getByTestId('case-status').innerText(), /open/i);
    await page.unroute('**/api/v1/anomalies/ui-flagged-3');
  },
);

test(
  'rules: an error is shown at its rule and field; fixed and published, the next decision uses it; dry run counts',
  { skip: missing ?? false },
  async () => {
    await signIn('admin');
    await page.getByRole('link', { name: 'Rules' }).click();
    // The shipped rules, published unchanged, become the first version (something to roll back to).
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Published version' }).waitFor();
    const first = page.locator('li.rule-card').first();
    await first.getByLabel('Reason (shown on decisions)').fill('');
    await page.getByRole('button', { name: 'Validate' }).click();
    const inline = page.locator('#rule-0-reason-errors');
    await inline.waitFor();
    assert.match(await inline.innerText(), /rules\[0\]\.reason/);
    assert.equal(await first.getByLabel('Reason (shown on decisions)').getAttribute('aria-invalid'), 'true');
    await shot('rules-error');

    await first
      .getByLabel('Reason (shown on decisions)')
      .fill('Amount far above this account (edited in the dashboard)');
    await page.getByLabel('Version', { exact: true }).first().fill('ui-edited-1');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const dry = page.getByTestId('dry-run');
    await dry.waitFor();
    assert.match(await dry.innerText(), /On the last \d+ decisions/);
    assert.doesNotMatch(await dry.innerText(), /On the last 0 decisions/);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Published version ui-edited-1' }).waitFor();
    await assertControlsLabelled('rules');
    const versions = page.getByRole('table', { name: 'Published rule versions' });
    await versions.getByRole('row').filter({ hasText: 'ui-edited-1' }).getByText('in force').waitFor();
    assert.equal(await versions.getByRole('button', { name: 'Roll back to this' }).count(), 1);
    await shot('rules');

    // Roll back to the shipped rules (after a browser confirmation), then forward again to the edited ones.
    page.once('dialog', (dialog) => void dialog.accept());
    await versions.getByRole('button', { name: 'Roll back to this' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled back' }).waitFor();
    const rolledBack = await (
      await fetch(`${server.url}/api/v1/rules`, { headers: { 'x-api-key': keys.auditor! } })
    ).json();
    assert.notEqual(rolledBack.version, 'ui-edited-1');
    page.once('dialog', (dialog) => void dialog.accept());
    await versions
      .getByRole('row')
      .filter({ hasText: 'ui-edited-1' })
      .getByRole('button', { name: 'Roll back to this' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Rolled back: version ui-edited-1' }).waitFor();

    const next = await flaggedFor('acct-ui-2', 'ui-flagged-2');
    assert.equal(next.decision.rules_version, 'ui-edited-1');
    assert.ok(
      next.decision.reasons.some(
        (r) => r.reason === 'Amount far above this account (edited in the dashboard)',
      ),
    );
  },
);

test(
  'settings: an admin changes a threshold after confirming, and the change is audited',
  { skip: missing ?? false },
  async () => {
    await signIn('admin');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Review at score ≥', { exact: true }).fill('0.45');
    await page.getByRole('button', { name: 'Save…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.locator('.timeline li').filter({ hasText: 'admin-ui' }).first().waitFor();
    const settings = await (
      await fetch(`${server.url}/api/v1/settings/decision`, { headers: { 'x-api-key': keys.auditor! } })
    ).json();
    assert.equal(settings.thresholds.review, 0.45);
    await assertControlsLabelled('settings');
    await shot('settings');
  },
);

test(
  'an auditor sees everything and can press nothing that changes it',
  { skip: missing ?? false },
  async () => {
    await signIn('auditor');
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('tr[data-transaction-id="ui-flagged-2"]').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Confirm fraud/ }).count(), 0);
    await page.locator('table.queue').focus();
    await page.keyboard.press('f'); // the shortcut does nothing for an auditor
    await page.goto(`${server.url}/#/tx/ui-flagged-2`);
    await page.getByText('can read cases but not record verdicts').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Confirm fraud' }).count(), 0);
    const stored = await (
      await fetch(`${server.url}/api/v1/transactions/ui-flagged-2`, {
        headers: { 'x-api-key': keys.auditor! },
      })
    ).json();
    assert.equal(stored.status, 'open');

    await page.getByRole('link', { name: 'Rules' }).click();
    await page.locator('li.rule-card').first().waitFor();
    assert.ok(await page.getByRole('button', { name: 'Publish' }).isDisabled());
    assert.ok(
      await page.locator('li.rule-card').first().getByLabel('Reason (shown on decisions)').isDisabled(),
    );
    await page
      .getByRole('table', { name: 'Published rule versions' })
      .getByRole('row')
      .filter({ hasText: 'ui-edited-1' })
      .first()
      .waitFor();
    const rollbacks = page
      .getByRole('table', { name: 'Published rule versions' })
      .getByRole('button', { name: 'Roll back to this' });
    assert.ok(
      (await rollbacks.count()) >= 1,
      `an older version is listed: ${await page.getByRole('table', { name: 'Published rule versions' }).innerText()}`,
    );
    assert.ok(await rollbacks.first().isDisabled());
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Review at score ≥', { exact: true }).waitFor();
    assert.ok(await page.getByLabel('Review at score ≥', { exact: true }).isDisabled());
    assert.equal(await page.getByRole('button', { name: 'Save…' }).count(), 0);
    await shot('auditor-settings');
  },
);

test(
  'models: an admin rolls the GBDT back on the Models page; an auditor sees the versions and no buttons',
  { skip: missing ?? false },
  async () => {
    // A server of its own, with two GBDT versions and an isolation forest already in its models directory.
    const modelsData = mkdtempSync(join(tmpdir(), 'fraudwatch-web-models-'));
    mkdirSync(join(modelsData, 'models'));
    writeModelVersions(join(modelsData, 'models'));
    const admin = createKey(modelsData, 'admin', 'admin-models');
    const auditor = createKey(modelsData, 'auditor', 'auditor-models');
    const served = await startServe(modelsData, await freePort(), {}, { models: true });
    const inForce = async () =>
      (await (await fetch(`${served.url}/api/v1/models`, { headers: { 'x-api-key': auditor } })).json())
        .in_force.gbdt;
    const signInHere = async (key: string) => {
      await signInAt(served.url, key);
      await page.getByRole('link', { name: 'Models' }).click();
      await page.getByRole('heading', { name: 'Gradient-boosted trees' }).waitFor();
    };
    try {
      assert.equal(await inForce(), 'gbdt-2026-02-01T00-00-00-000Z');
      await signInHere(admin);
      await page.getByRole('button', { name: 'Roll back Gradient-boosted trees…' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'gbdt-2026-01-01T00-00-00-000Z is in force' })
        .waitFor();
      assert.equal(await inForce(), 'gbdt-2026-01-01T00-00-00-000Z');
      await assertControlsLabelled('models');
      await shot('models');
      await signInHere(auditor);
      // Every version shows its validation metrics from training, the one not in force too.
      const february = page.locator('[data-model-id="gbdt-2026-02-01T00-00-00-000Z"]');
      await february.waitFor();
      assert.equal(await february.getAttribute('aria-current'), null, 'not in force after the rollback');
      assert.match(await february.innerText(), /AUC 0\.\d{3}.*AP 0\.\d{3}/s);
      assert.equal(
        await page.getByRole('button', { name: /Put in force|Promote|Archive|Roll back/ }).count(),
        0,
      );
      assert.equal(await inForce(), 'gbdt-2026-01-01T00-00-00-000Z');
    } finally {
      await served.stop();
    }
  },
);

test(
  'an answer the page cannot display shows a message, not a blank page',
  { skip: missing ?? false },
  async () => {
    await signIn('analyst');
    // A server answer missing the decision's reasons (a proxy rewriting it, an older server): rendering fails.
    await page.route('**/api/v1/transactions/broken-1', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          transaction: {
            transaction_id: 'broken-1',
            timestamp: 0,
            account_id: 'nobody',
            amount: 1,
            currency: 'EUR',
          },
          decision: { score: 0.5 },
          status: 'open',
        }),
      }),
    );
    await page.goto(`${server.url}/#/tx/broken-1`);
    await page.getByRole('alert').filter({ hasText: 'This page failed to display' }).waitFor();
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.unroute('**/api/v1/transactions/broken-1');
  },
);

test('a JWT with a role claim signs in too, as that role', { skip: missing ?? false }, async () => {
  const token = await new SignJWT({ role: 'auditor' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('carol')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
  await page.goto(server.url);
  await page.locator('#credential, button:has-text("Sign out")').first().waitFor();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('API key or token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  assert.match(await page.locator('.who').innerText(), /carol\s+auditor/);
});

test('on a narrow screen nothing spills sideways', { skip: missing ?? false }, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn('analyst');
  for (const hash of ['#/overview', '#/queue', '#/tx/ui-flagged-1', '#/rules', '#/models', '#/settings']) {
    await page.goto(`${server.url}/${hash}`);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${hash} is ${overflow}px wider than the screen`);
  }
  await page.goto(`${server.url}/#/queue`);
  await page.locator('tr[data-transaction-id]').first().waitFor();
  await shot('queue-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test(
  'a lost connection is shown, and the page recovers when the server is back',
  { skip: missing ?? false },
  async () => {
    await signIn('analyst');
    await server.stop();
    await page
      .getByRole('status')
      .filter({ hasText: 'Connection to the server lost' })
      .waitFor({ timeout: 15_000 });
    await shot('offline');
    server = await startServe(dataDir, port);
    await page
      .getByRole('status')
      .filter({ hasText: 'Connection to the server lost' })
      .waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('Alert rate').waitFor();
  },
);
