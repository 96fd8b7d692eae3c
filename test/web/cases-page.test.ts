/**
 * The Cases pages in Chromium against a real `fraudwatch serve` (issue 17): flagged decisions of one account are
 * grouped into a case by the sweep; an analyst finds it under All active and Unassigned, assigns it to themself
 * (it shows under Mine), adds a note (shown with its author) and closes it as fraud after a confirmation (it
 * leaves Mine, shows under Closed, and its transactions are confirmed fraud). The keyboard assigns, a bulk close
 * asks first, an auditor gets no buttons, and an admin creates a queue whose bad SLA is shown at its field.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumMissing, SHOTS } from './chromium.ts';
import { createKey, freePort, startServe, type Served } from './serve-process.ts';

const missing = chromiumMissing('the cases pages browser test');

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-cases-web-'));
const keys: Record<string, string> = {};
const ANALYST = 'alice-cases';
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

/** Three ordinary purchases, then `big` payments, each ten times the one before: the default rules flag each. */
async function flaggedAccount(account: string, big: number): Promise<string[]> {
  const base = Date.parse('2026-11-20T10:00:00Z');
  const submit = (id: string, at: number, amount: number, merchant: string) =>
    call('service', 'POST', '/api/v1/transactions', {
      transaction_id: id,
      timestamp: at,
      account_id: account,
      amount,
      currency: 'EUR',
      merchant_id: merchant,
      city: 'Lyon',
      device_id: 'dev-1',
    });
  for (let i = 0; i < 3; i++) await submit(`${account}-warmup-${i}`, base + i * 3_600_000, 20, 'shop-1');
  const flagged: string[] = [];
  for (let i = 0; i < big; i++) {
    const id = `${account}-big-${i}`;
    const answer = await submit(id, base + (4 + i) * 3_600_000, 2500 * 10 ** i, 'shop-9');
    const outcome = (answer.decision as { outcome: string }).outcome;
    assert.notEqual(outcome, 'approve', `${id} is flagged by the default rules`);
    flagged.push(id);
  }
  return flagged;
}

/** The account's case once the sweep has grouped all `alerts` of it. */
async function caseOf(account: string, alerts: number): Promise<{ id: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = (await call(
      'admin',
      'GET',
      `/api/v1/cases?status=all&account_id=${encodeURIComponent(account)}`,
    )) as { items: { id: string; alert_count: number }[] };
    const found = page.items.find((c) => c.alert_count === alerts);
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`no case of ${account} with ${alerts} alerts: ${JSON.stringify(page)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function transactionStatus(id: string): Promise<string> {
  return (await call('admin', 'GET', `/api/v1/transactions/${encodeURIComponent(id)}`)).status as string;
}

async function signIn(role: string) {
  await page.goto(server.url);
  // Either the sign-in form, or the shell of a session kept in this tab: sign out of that first.
  await page.locator('#credential, button:has-text("Sign out")').first().waitFor();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('API key or token').fill(keys[role]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** Runs a test's steps; on a failure the page is kept as a screenshot (artifacts/dashboard/) before it is rethrown. */
async function withShot(name: string, steps: () => Promise<void>) {
  try {
    await steps();
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `${name}-failure.png`), fullPage: true }).catch(() => {});
    throw e;
  }
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

const tab = (label: string) =>
  page.getByRole('group', { name: 'Which cases' }).getByRole('button', { name: label, exact: true });
const row = (caseId: string) => page.locator(`tr[data-case-id="${caseId}"]`);

async function showTab(label: string) {
  await tab(label).click();
  await page.locator(`.segmented button[aria-pressed="true"]:text-is("${label}")`).waitFor();
}

before(async () => {
  if (missing !== null) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const [role, name] of [
    ['service', 'service-cases'],
    ['analyst', ANALYST],
    ['admin', 'admin-cases'],
    ['auditor', 'auditor-cases'],
  ] as const)
    keys[role] = createKey(dataDir, role, name);
  server = await startServe(dataDir, await freePort(), { CASE_SWEEP_MS: '200' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  'an analyst assigns a case to themself, notes it and closes it as fraud; it leaves Mine for Closed',
  { skip: missing ?? false },
  async () => {
    const transactions = await flaggedAccount('cases-ui-acct', 2);
    const { id } = await caseOf('cases-ui-acct', 2);
    await withShot('cases-close-as-fraud', async () => {
      await signIn('analyst');
      await page.getByRole('link', { name: 'Cases' }).click();
      await page.getByRole('heading', { name: 'Cases' }).waitFor();
      await page.getByRole('list', { name: 'Backlog per queue' }).getByText('no queue').waitFor();

      await showTab('All active');
      await row(id).waitFor();
      assert.match(await row(id).innerText(), /cases-ui-acct\s+2\s/);
      await assertControlsLabelled('cases');
      await showTab('Unassigned');
      await row(id).waitFor();
      await showTab('Mine');
      await page.getByTestId('no-cases').waitFor();

      await showTab('All active');
      await row(id).getByRole('link', { name: 'cases-ui-acct' }).click();
      await page.getByRole('heading', { name: 'Case of account cases-ui-acct' }).waitFor();
      const alerts = page.getByRole('table', { name: 'Alerts' });
      for (const tx of transactions) await alerts.getByRole('link', { name: tx }).waitFor();
      await assertControlsLabelled('case detail');
      await page.getByRole('button', { name: 'Assign to me' }).click();
      await page.getByTestId('case-assignee').filter({ hasText: ANALYST }).waitFor();

      await page.getByRole('link', { name: '← All cases' }).click();
      await showTab('Mine');
      await row(id).waitFor();
      assert.match(await row(id).innerText(), new RegExp(ANALYST));

      await row(id).getByRole('link', { name: 'cases-ui-acct' }).click();
      await page.getByLabel('Note', { exact: true }).fill('card used abroad twice in an hour');
      await page.getByRole('button', { name: 'Add note' }).click();
      const notes = page.getByRole('list', { name: 'Notes' });
      await notes.getByText('card used abroad twice in an hour').waitFor();
      // The author, then the text (quoted by the page's styles, not in the text).
      assert.match(
        await notes.innerText(),
        new RegExp(`${ANALYST}\\s+\\W?card used abroad twice in an hour`),
      );

      await page
        .getByRole('group', { name: 'Status' })
        .getByRole('button', { name: 'Close as fraud' })
        .click();
      const confirm = page.getByRole('alertdialog');
      await confirm.getByText('labelled confirmed fraud').waitFor();
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      await page.getByTestId('case-status').filter({ hasText: 'closed as fraud' }).waitFor();
      await page.getByRole('status').filter({ hasText: '2 transaction(s) labelled' }).waitFor();
      await page.getByRole('list', { name: 'Case timeline' }).getByText('closed as fraud').waitFor();

      await page.getByRole('link', { name: '← All cases' }).click();
      await showTab('Mine');
      await page.getByTestId('no-cases').waitFor();
      await showTab('Closed');
      await row(id).waitFor();
      assert.match(await row(id).innerText(), /closed as fraud/);
    });
    for (const tx of transactions) assert.equal(await transactionStatus(tx), 'confirmed_fraud', tx);
  },
);

test(
  'the keyboard assigns the selected case to me; a bulk close as legitimate asks first',
  { skip: missing ?? false },
  async () => {
    const transactions = await flaggedAccount('cases-ui-keys', 1);
    const { id } = await caseOf('cases-ui-keys', 1);
    await withShot('cases-keyboard-bulk', async () => {
      await signIn('analyst');
      await page.getByRole('link', { name: 'Cases' }).click();
      await showTab('Unassigned');
      await row(id).getByRole('cell').nth(1).click(); // the priority cell: selects the row, focuses the table
      await page.locator(`tr[data-case-id="${id}"][aria-current="true"]`).waitFor();
      await page.keyboard.press('a');
      await page
        .getByRole('status')
        .filter({ hasText: `Assign to you (${ANALYST}): 1 changed` })
        .waitFor();
      await showTab('Mine');
      await row(id).waitFor();

      await row(id).getByRole('checkbox').check();
      await page.getByRole('group', { name: 'Bulk actions' }).getByText('1 checked').waitFor();
      await page
        .getByRole('group', { name: 'Bulk actions' })
        .getByRole('button', { name: 'Close as legitimate' })
        .click();
      const confirm = page.getByRole('alertdialog');
      await confirm.getByText(`case ${id}`).waitFor();
      assert.equal(
        await transactionStatus(transactions[0]!),
        'open',
        'nothing changes before the confirmation',
      );
      await confirm.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('status').filter({ hasText: '1 changed' }).waitFor();
      await page.getByTestId('no-cases').waitFor();
    });
    assert.equal(await transactionStatus(transactions[0]!), 'legitimate');
  },
);

test('an auditor reads a case without any button to change it', { skip: missing ?? false }, async () => {
  await flaggedAccount('cases-ui-read', 1);
  const { id } = await caseOf('cases-ui-read', 1);
  await withShot('cases-auditor', async () => {
    await signIn('auditor');
    await page.getByRole('link', { name: 'Cases' }).click();
    await showTab('All active');
    await row(id).waitFor();
    assert.equal(await page.getByRole('group', { name: 'Bulk actions' }).count(), 0);
    assert.equal(await row(id).getByRole('checkbox').count(), 0);
    await row(id).getByRole('link', { name: 'cases-ui-read' }).click();
    await page.getByText('can read cases but not change them').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Assign to me' }).count(), 0);
    assert.equal(await page.getByRole('form', { name: 'Add a note' }).count(), 0);
    assert.equal(
      await page.getByRole('link', { name: 'Queues' }).count(),
      0,
      'queue settings are for admins',
    );
  });
});

test(
  'an admin creates a queue in the settings page; a bad SLA is shown at its field',
  { skip: missing ?? false },
  async () => {
    await withShot('queue-settings', async () => {
      await signIn('admin');
      await page.getByRole('link', { name: 'Queues' }).click();
      await page.getByRole('heading', { name: 'Queues' }).waitFor();
      const form = page.getByRole('form', { name: 'New queue' });
      await assertControlsLabelled('queue settings');
      await form.getByLabel('Name', { exact: true }).fill('high value');
      await form.getByLabel('Min amount').fill('1000');
      await form.getByRole('button', { name: 'Add member' }).click();
      await form.getByLabel('Member 1 API key name').fill(ANALYST);
      await form.getByLabel('capacity', { exact: true }).fill('3');
      await form.getByLabel('SLA in seconds').fill('0');
      await form.getByRole('button', { name: 'Create queue' }).click();
      const slaErrors = page.locator('#queue-sla-errors');
      await slaErrors.waitFor();
      assert.match(await slaErrors.innerText(), /sla_seconds/);
      assert.equal(await form.getByLabel('SLA in seconds').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByTestId('no-queues').count(), 1, 'nothing was created');

      await form.getByLabel('SLA in seconds').fill('1800');
      await form.getByRole('button', { name: 'Create queue' }).click();
      await page.getByRole('status').filter({ hasText: 'Created queue high value.' }).waitFor();
      const listed = page.locator('tr[data-queue="high value"]');
      await listed.waitFor();
      assert.match(await listed.innerText(), /amount ≥ 1000/);
      assert.match(await listed.innerText(), new RegExp(`${ANALYST} \\(3\\)`));
      assert.match(await listed.innerText(), /30 min/);
      const stored = (await call('admin', 'GET', '/api/v1/queues/high%20value')) as {
        sla_seconds: number;
        members: unknown;
      };
      assert.equal(stored.sla_seconds, 1800);
      assert.deepEqual(stored.members, [{ name: ANALYST, capacity: 3 }]);

      await page.getByRole('button', { name: 'Edit high value' }).click();
      const edit = page.getByRole('form', { name: 'Edit queue high value' });
      assert.equal(await edit.getByLabel('Min amount').inputValue(), '1000', 'the form holds the queue');
      await edit.getByLabel('SLA in seconds').fill('7200');
      await edit.getByRole('button', { name: 'Save queue' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved queue high value.' }).waitFor();
      await listed.filter({ hasText: '2 h' }).waitFor();

      await page.getByRole('button', { name: 'Delete high value' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await listed.count(), 1, 'a cancelled delete keeps the queue');
      await page.getByRole('button', { name: 'Delete high value' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByTestId('no-queues').waitFor();
    });
    const trail = JSON.stringify(await call('admin', 'GET', '/api/v1/audit?action=queue_updated'));
    assert.ok(trail.includes('7200') && trail.includes('admin-cases'), 'the edit is audited with the admin');
  },
);

test('on a narrow screen the cases pages do not spill sideways', { skip: missing ?? false }, async () => {
  const { id } = await caseOf('cases-ui-read', 1);
  await withShot('cases-narrow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn('admin');
    await call('admin', 'POST', '/api/v1/queues', {
      name: 'narrow',
      members: [{ name: ANALYST, capacity: 0 }],
      sla_seconds: 60,
    });
    for (const hash of ['#/cases', `#/cases/${id}`, '#/queues']) {
      await page.goto(`${server.url}/${hash}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${hash} is ${overflow}px wider than the screen`);
    }
  });
  await page.setViewportSize({ width: 1280, height: 1000 });
});
