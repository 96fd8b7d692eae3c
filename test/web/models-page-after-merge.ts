/**
 * The Models page checks on training runs, challengers and the live comparison, run by models-page.test.ts in
 * its browser and against its serve (whose posted transactions carry labels, so a training run has data).
 */
import assert from 'node:assert/strict';
import type { test as nodeTest } from 'node:test';
import type { Page } from 'playwright-core';

interface Context {
  test: typeof nodeTest;
  skip: string | false;
  page: () => Page;
  url: () => string;
  keys: Record<string, string>;
  signIn: (role: string) => Promise<void>;
  openModels: () => Promise<void>;
}

export function modelsPageAfterMerge(c: Context): void {
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${c.url()}${path}`, { headers: { 'x-api-key': c.keys.admin! } });
    assert.equal(r.status, 200, path);
    return (await r.json()) as T;
  };

  c.test(
    'an admin trains now; the run is listed and its models become challengers',
    { skip: c.skip },
    async () => {
      const page = c.page();
      await c.signIn('admin');
      await c.openModels();
      await page.getByRole('button', { name: 'Train now…' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /Training run .* started/ })
        .waitFor();
      const runs = page.getByRole('table', { name: 'Training runs, newest first' });
      // The newest run first: manual, by this admin, done (or skipped with a message when labels are too few).
      const first = runs.locator('tbody tr').first();
      await first.getByText(/done|skipped|failed/).waitFor({ timeout: 120_000 });
      assert.match(await first.innerText(), /manual/);
      const { runs: listed } = await get<{ runs: { status: string; produced: string[]; message: string }[] }>(
        '/api/v1/models/training',
      );
      assert.equal(listed[0]!.status, 'done', listed[0]!.message);
      assert.equal(listed[0]!.produced.length, 2);
      await page.reload();
      await c.openModels();
      for (const id of listed[0]!.produced) {
        const card = page.locator(`li.version[data-model-id="${id}"]`);
        await card.waitFor();
        assert.match(await card.innerText(), /challenger/);
      }
    },
  );

  c.test(
    'an admin promotes the challenger GBDT after a confirmation, and archives a challenger',
    { skip: c.skip },
    async () => {
      const page = c.page();
      const models = await get<{ challengers: Record<string, string>; in_force: Record<string, string> }>(
        '/api/v1/models',
      );
      const challenger = models.challengers.gbdt;
      assert.ok(challenger, 'a GBDT challenger (from the training run above)');
      await c.signIn('admin');
      await c.openModels();
      await page.getByRole('button', { name: `Promote ${challenger}…` }).click();
      assert.match(await page.getByRole('alertdialog').innerText(), /Promote .* to champion/);
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${challenger} is in force` })
        .waitFor();
      const card = page.locator(`li.version[data-model-id="${challenger}"]`);
      assert.match(await card.innerText(), /champion \(in force\)/);
      const old = page.locator(`li.version[data-model-id="${models.in_force.gbdt}"]`);
      assert.match(await old.innerText(), /archived/);
      await page
        .getByRole('list', { name: 'Model changes, newest first' })
        .getByText(new RegExp(`promoted: .*${challenger}`))
        .first()
        .waitFor();
      const audit = await get<{ items: { new_value: string }[] }>('/api/v1/audit?action=model_promote');
      assert.ok(audit.items.some((a) => a.new_value.includes(challenger)));

      // The forest's challenger of the same run, if any, is archived.
      const forest = models.challengers.iforest;
      if (forest !== undefined) {
        await page.getByRole('button', { name: `Archive ${forest}…` }).click();
        await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `${forest} is archived` })
          .waitFor();
        assert.match(await page.locator(`li.version[data-model-id="${forest}"]`).innerText(), /archived/);
      }
    },
  );

  c.test(
    'live metrics: champion and challenger side by side, and over time, once labels are known',
    { skip: c.skip },
    async () => {
      const page = c.page();
      // The promotions above put a new champion set in force: it decides some traffic, labels come back, and the
      // live comparison (refreshed every second by this serve) has it beside the set that decided before.
      const post = async (path: string, body: unknown) => {
        const r = await fetch(`${c.url()}${path}`, {
          method: 'POST',
          headers: { 'x-api-key': c.keys.service!, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(r.status, 200, path);
      };
      const now = Date.now();
      const ids = Array.from({ length: 20 }, (_, i) => `live-${i}`);
      await post('/api/v1/transactions/batch', {
        transactions: ids.map((id, i) => ({
          transaction_id: id,
          account_id: `live-a${i % 4}`,
          amount: 20 + i * 40,
          timestamp: now - 1000 + i,
        })),
      });
      await post('/api/v1/labels', {
        labels: ids.map((id, i) => ({ transaction_id: id, label: i % 4 === 0 ? 'fraud' : 'legit' })),
      });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const m = await get<{ live: { models: { role: string; labels: number }[] } | null }>(
          '/api/v1/models',
        );
        if (m.live?.models.some((x) => x.role === 'champion' && x.labels >= 20)) break;
        assert.ok(
          Date.now() < deadline,
          `the live comparison never showed the champion: ${JSON.stringify(m.live)}`,
        );
        await new Promise((r) => setTimeout(r, 500));
      }
      await c.signIn('analyst');
      await c.openModels();
      const table = page.locator('table.live-metrics');
      await table.waitFor({ timeout: 60_000 });
      for (const figure of ['AUC', 'AP', 'Precision', 'Recall', 'Alert rate', 'Labels (fraud)'])
        await table.getByRole('rowheader', { name: figure, exact: true }).waitFor();
      assert.match(await table.innerText(), /Champion/);
      await page.getByRole('img', { name: /per day of the champion and the challenger set/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: /Train now|Promote|Archive/ }).count(), 0);
    },
  );
}
