/**
 * Rule snoozes on the Rules page in Chromium against a real `fraudwatch serve` (issue 17): an analyst snoozes a
 * rule for an account, the snooze is listed under its rule and mutes the rule for that account's next
 * transaction, and ending it on the page puts the rule back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the rule snoozes browser test');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-snoozes-web-'));
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
  for (const role of ['service', 'analyst', 'admin']) keys[role] = createKey(dataDir, role, `${role}-snz`);
  server = await startServe(dataDir, await freePort());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

let n = 0;
const submit = async (account: string) =>
  (
    await call('service', 'POST', '/api/v1/transactions', {
      transaction_id: `snz17-web-${++n}`,
      timestamp: Date.now(),
      account_id: account,
      amount: 2000,
      currency: 'EUR',
    })
  ).decision as { rule_score: number; snoozed_rules?: { rule: string }[] };

test(
  'an analyst snoozes a rule for an account on the Rules page, and ends it there',
  { skip: missing ?? false },
  async () => {
    await call('admin', 'PUT', '/api/v1/rules', {
      version: 'snz17-web-rules',
      rules: [
        {
          id: 'snz17_big',
          version: 1,
          when: { field: 'amount', op: '>=', value: 1000 },
          score: 0.6,
          reason: 'big',
        },
      ],
    });
    assert.equal((await submit('snz17-acct')).rule_score, 0.6);

    await page.goto(server.url);
    await page.getByLabel('API key or token').fill(keys.analyst!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('heading', { name: 'Snoozes' }).waitFor();
    await page.getByTestId('no-snoozes').waitFor();

    const form = page.getByRole('form', { name: 'Snooze a rule' });
    await form.getByLabel('Rule').selectOption('snz17_big');
    await form.getByLabel('for', { exact: true }).selectOption('account');
    await form.getByLabel('id', { exact: true }).fill('snz17-acct');
    await form.getByLabel('for how long').fill('2h');
    await form.getByLabel('Reason').fill('known traveller');
    await form.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('status').filter({ hasText: 'Snoozed snz17_big for account snz17-acct' }).waitFor();
    const listed = page.locator('[data-rule="snz17_big"] li');
    await listed.filter({ hasText: 'known traveller' }).waitFor();
    assert.match(await listed.innerText(), /account snz17-acct until .*known traveller \(by analyst-snz\)/);
    await page.screenshot({ path: join(SHOTS, 'rule-snoozes.png'), fullPage: true });

    const muted = await submit('snz17-acct');
    assert.equal(muted.rule_score, 0, 'the snooze made on the page mutes the rule');
    assert.deepEqual(
      muted.snoozed_rules?.map((r) => r.rule),
      ['snz17_big@1'],
    );
    assert.equal((await submit('snz17-other')).rule_score, 0.6, 'not for another account');

    await page.getByRole('button', { name: 'End snooze of snz17_big for snz17-acct' }).click();
    await page.getByRole('status').filter({ hasText: 'Ended the snooze' }).waitFor();
    await page.getByTestId('no-snoozes').waitFor();
    assert.equal((await submit('snz17-acct')).rule_score, 0.6, 'ended: the rule counts again');
    const trail = (await call('admin', 'GET', '/api/v1/audit?action=rule_snooze_ended')) as unknown;
    assert.ok(JSON.stringify(trail).includes('analyst-snz'), 'the end is audited with the analyst');
  },
);
