/**
 * The Webhooks page in Chromium against a real `fraudwatch serve`: an admin creates a webhook (the secret is shown
 * once), a flagged transaction reaches a real receiver signed with that secret, and the deliveries log shows it
 * delivered with the receiver's 200.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { Receiver } from '../webhooks/receiver.ts';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the webhooks page browser test');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-webhooks-web-'));
const keys: Record<string, string> = {};
const receiver = new Receiver();
let server: Served;
let browser: Browser;
let page: Page;

before(async () => {
  if (missing !== null) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const role of ['service', 'admin']) keys[role] = createKey(dataDir, role, `${role}-hooks`);
  await receiver.start();
  server = await startServe(dataDir, await freePort(), { FRAUDWATCH_WEBHOOK_POLL_MS: '100' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await receiver.stop();
});

test(
  'an admin creates a webhook, sees its secret once, and its delivery in the log',
  { skip: missing ?? false },
  async () => {
    await page.goto(server.url);
    await page.getByLabel('API key or token').fill(keys.admin!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
    assert.match(secret, /^whsec_/);
    await page.getByRole('table', { name: 'Webhooks' }).getByRole('cell', { name: receiver.url }).waitFor();

    const r = await fetch(`${server.url}/api/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keys.service! },
      body: JSON.stringify({
        transaction_id: 'hook17-web-1',
        timestamp: new Date().toISOString(),
        account_id: 'hook17-web-acct',
        amount: 5000,
        currency: 'EUR',
        merchant_id: 'shop',
      }),
    });
    assert.equal(r.status, 201);
    const [got] = await receiver.waitFor(1, 15_000);
    const h = got!.headers;
    assert.ok(
      verifySignature(
        secret,
        String(h['x-fraudwatch-timestamp']),
        got!.body,
        String(h['x-fraudwatch-signature']),
      ),
    );
    const log = page.getByRole('table', { name: 'Deliveries' });
    await log
      .getByRole('row', { name: /decision\.flagged hook17-web-1 delivered 1 200/ })
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'webhooks.png'), fullPage: true });
    // The secret is not shown again after the page is left.
    await page.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await page.getByTestId('webhook-secret').count(), 0);
  },
);
