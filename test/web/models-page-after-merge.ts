/**
 * NOT RUN YET: the Models page checks that need the other parts of issue 13 (registry stages with promote and
 * archive, training runs, live model metrics). They cannot pass on the dashboard branch alone, so they are not
 * in models-page.test.ts; after the merge the lead calls `modelsPageAfterMerge` from there (inside the file's
 * `before`/`after` setup, with the admin's and analyst's keys) and adjusts what the merged routes answer.
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
      const { runs: listed } = await get<{ runs: { status: string; produced: string[] }[] }>(
        '/api/v1/models/training',
      );
      if (listed[0]!.status === 'done') {
        for (const id of listed[0]!.produced) {
          const card = page.locator(`li.version[data-model-id="${id}"]`);
          await card.waitFor();
          assert.match(await card.innerText(), /challenger/);
        }
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
      // Labels for the posted traffic first (POST /api/v1/labels), then the live monitor's refresh: the lead
      // fills in how the merged service is made to refresh (its `now` or interval).
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
