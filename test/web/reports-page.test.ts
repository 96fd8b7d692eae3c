/**
 * The Reports page in Chromium against a real `fraudwatch serve`: after transactions are posted and a verdict
 * given, the week's figures are on the page, the fraud patterns show, and the HTML download is a report page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { weekName, weekStartOf } from '../../src/reports/iso-week.ts';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the reports page browser test');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-reports-web-'));
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
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
  return r.json() as Promise<Record<string, unknown>>;
}

before(async () => {
  if (missing !== null) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const role of ['service', 'analyst']) keys[role] = createKey(dataDir, role, `${role}-reports`);
  server = await startServe(dataDir, await freePort());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  'the Reports page shows the week so far, the patterns, and offers the HTML download',
  { skip: missing ?? false },
  async () => {
    // Twelve purchases, then one far above them for another account: the default rules flag it.
    const now = Date.now();
    for (let i = 0; i < 12; i++)
      await call('service', 'POST', '/api/v1/transactions', {
        transaction_id: `rp-${i}`,
        timestamp: now - (12 - i) * 60_000,
        account_id: `acct-rp-${i % 3}`,
        amount: 20,
        currency: 'EUR',
        merchant_id: 'shop-1',
        country: 'FR',
      });
    const flagged = await call('service', 'POST', '/api/v1/transactions', {
      transaction_id: 'rp-flagged',
      timestamp: now,
      account_id: 'acct-rp-0',
      amount: 4800,
      currency: 'EUR',
      merchant_id: 'shop-9',
      country: 'FR',
    });
    const outcome = (flagged.decision as { outcome: string }).outcome;
    assert.notEqual(outcome, 'approve');
    await call('analyst', 'PUT', '/api/v1/anomalies/rp-flagged', { status: 'confirmed_fraud' });

    await page.goto(server.url);
    await page.getByLabel('API key or token').fill(keys.analyst!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();

    const week = weekName(weekStartOf(now));
    await page.getByRole('textbox', { name: 'Week' }).fill(week);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: `Weekly report ${week}` }).waitFor();
    const figures = page.getByRole('table', { name: 'Weekly figures' });
    const cell = async (row: string) =>
      (
        await figures
          .getByRole('row', { name: new RegExp(`^${row}`) })
          .locator('td')
          .first()
          .innerText()
      ).trim();
    await figures.getByRole('row', { name: /^Decisions 13/ }).waitFor();
    assert.equal(await cell('Decisions'), '13');
    assert.equal(await cell('Confirmed fraud \\(reviewed\\)'), '1');
    assert.equal(await cell('Precision of alerts'), '100.0 %');
    assert.equal(await cell('Alert rate'), `${((1 / 13) * 100).toFixed(1)} %`);
    await page.getByRole('img', { name: 'Decisions per day by outcome' }).locator('canvas').waitFor();
    const patterns = page.getByRole('table', { name: 'By country' });
    await patterns.getByRole('row', { name: /^FR 1/ }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#weekly-title').locator('..').getByRole('button', { name: 'Download HTML' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `fraudwatch-weekly-${week}.html`);
    const html = readFileSync((await download.path())!, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, new RegExp(`fraudwatch weekly report ${week}`));
    assert.match(html, /<svg /);
    assert.match(html, /<td>decisions<\/td><td>13<\/td>/);

    // On a phone's width nothing spills sideways: wide tables scroll inside their own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('table', { name: 'Weekly figures' }).waitFor();
    await page.getByRole('table', { name: 'By country' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `#/reports is ${overflow}px wider than the screen`);
  },
);
