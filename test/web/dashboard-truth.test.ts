/**
 * What issue 16 asked of the dashboard, in real Chromium against a real `fraudwatch serve` (embedded store):
 * throughput as it is now, flagged on their own axis; the settings trail newest first and paged; cases named
 * truthfully and reopened; Validate taking the reader to the first error, with no stale dry run above it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the dashboard browser tests');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-web-truth-'));
const keys: Record<string, string> = {};
let server: Served;
let browser: Browser;
let page: Page;

async function call(role: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'x-api-key': keys[role]!,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** Thresholds that put every score in one outcome band. */
const BANDS = {
  approve: { review: 1, block_and_review: 1, decline: 1 },
  decline: { review: 0, block_and_review: 0, decline: 0 },
};

async function submitAs(outcome: keyof typeof BANDS, id: string) {
  await call('admin', 'PUT', '/api/v1/settings/decision', { thresholds: BANDS[outcome] });
  const r = await call('service', 'POST', '/api/v1/transactions', {
    transaction_id: id,
    timestamp: new Date().toISOString(),
    account_id: 'acct-truth',
    amount: 42,
    currency: 'EUR',
    merchant_id: 'shop-truth',
  });
  assert.equal(r.decision.outcome, outcome);
}

async function signIn(role: string) {
  await page.goto(server.url);
  await page.locator('#credential, button:has-text("Sign out")').first().waitFor();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('API key or token').fill(keys[role]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

before(async () => {
  if (missing !== null) return;
  for (const role of ['service', 'analyst', 'admin'])
    keys[role] = createKey(dataDir, role, role === 'analyst' ? 'alice' : `${role}-truth`);
  server = await startServe(dataDir, await freePort());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  'overview: throughput now is the last minute, flagged series have their own axis',
  { skip: missing ?? false },
  async () => {
    const batch = Array.from({ length: 40 }, (_, i) => ({
      transaction_id: `burst-${i}`,
      timestamp: new Date().toISOString(),
      account_id: `acct-burst-${i % 4}`,
      amount: 30,
      currency: 'EUR',
    }));
    await call('service', 'POST', '/api/v1/transactions/batch', { transactions: batch });
    await signIn('analyst');
    const card = page.getByTestId('throughput-now');
    await card.getByText('40 /min', { exact: true }).waitFor();
    assert.match(await card.innerText(), /last minute/);
    const chart = page.getByRole('img', { name: /flagged outcomes on the right axis/ });
    await chart.locator('canvas').waitFor();
    // uPlot draws one element per axis: time, approvals on the left, flagged on the right.
    assert.equal(await chart.locator('.u-axis').count(), 3);
    const drawn = (await chart.textContent()) ?? '';
    assert.match(drawn, /review \(right\)/, 'the legend says which axis a series uses');
  },
);

test(
  'settings: the audit trail shows the newest change first, 20 a page, older ones on request',
  { skip: missing ?? false },
  async () => {
    for (let i = 0; i < 21; i++)
      await call('admin', 'PUT', '/api/v1/settings/decision', { bypass: false, bypass_score: i / 100 });
    await call('admin', 'PUT', '/api/v1/settings/decision', { bypass: true });
    await signIn('admin');
    await page.getByRole('link', { name: 'Settings' }).click();
    const trail = page.getByRole('list', { name: 'Settings changes, newest first' });
    await trail.locator('li').first().waitFor();
    assert.match(
      await trail.locator('li').first().innerText(),
      /"bypass":true/,
      'the newest change, bypass on, comes first',
    );
    assert.equal(await trail.locator('li').count(), 20);
    await page.getByRole('button', { name: 'Older entries' }).click();
    await trail.locator('li').nth(20).waitFor();
    assert.ok((await trail.locator('li').count()) >= 22);
    await call('admin', 'PUT', '/api/v1/settings/decision', { bypass: false, bypass_score: 0 });
  },
);

test(
  'cases: an approval shows no case, a decline is final until reopened, and the reopening is in the timeline',
  { skip: missing ?? false },
  async () => {
    await submitAs('approve', 'truth-approved');
    await submitAs('decline', 'truth-declined');
    await call('admin', 'PUT', '/api/v1/settings/decision', {
      thresholds: { review: 0.5, block_and_review: 0.8, decline: 0.95 },
    });
    await signIn('analyst');
    await page.goto(`${server.url}/#/tx/truth-approved`);
    await page.getByRole('heading', { name: 'Transaction truth-approved' }).waitFor();
    assert.equal((await page.getByTestId('case-status').innerText()).trim(), 'no case');
    const history = page.getByRole('table').filter({ hasText: 'Recent transactions of acct-truth' });
    assert.match(await history.getByRole('row').filter({ hasText: 'truth-approved' }).innerText(), /no case/);
    assert.doesNotMatch(
      await history.getByRole('row').filter({ hasText: 'truth-approved' }).innerText(),
      /\bopen\b/,
    );

    await page.goto(`${server.url}/#/tx/truth-declined`);
    await page.getByRole('heading', { name: 'Transaction truth-declined' }).waitFor();
    assert.equal((await page.getByTestId('case-status').innerText()).trim(), 'declined (final)');
    await page.getByLabel('Note (optional)').fill('customer disputes it');
    await page.getByRole('button', { name: 'Reopen case' }).click();
    await page.getByTestId('case-status').getByText('open', { exact: true }).waitFor();
    await page
      .getByRole('list', { name: 'Review timeline' })
      .getByText(/alice\s+reopened: decided → open/)
      .waitFor();
    const stored = await call('analyst', 'GET', '/api/v1/transactions/truth-declined');
    assert.equal(stored.status, 'open');
    assert.equal(
      await page.getByRole('button', { name: 'Reopen case' }).count(),
      0,
      'an open case is not reopened',
    );
  },
);

test(
  'rules: Validate drops the stale dry run and takes the reader to the first error',
  { skip: missing ?? false },
  async () => {
    await signIn('analyst');
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByTestId('dry-run').waitFor();
    const cards = page.locator('li.rule-card');
    const last = cards.nth((await cards.count()) - 1);
    await last.getByLabel('Reason (shown on decisions)').fill('');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.locator('.field-errors').first().waitFor();
    assert.equal(await page.getByTestId('dry-run').count(), 0, 'the dry run described another draft');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    const focused = page.locator(':focus');
    assert.equal(await focused.getAttribute('aria-invalid'), 'true');
    const box = await focused.boundingBox();
    assert.ok(
      box !== null && box.y >= 0 && box.y + box.height <= 900,
      `the first error is on screen: ${JSON.stringify(box)}`,
    );
  },
);
