import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currencySettingsFromEnv, DEFAULT_CURRENCY_SETTINGS } from '../../src/engine/currency-settings.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FxRatesError, loadFxRates } from '../../src/engine/fx-rates.ts';
import { validateTransaction } from '../../src/engine/transaction.ts';

const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-fx-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const JSON_RATES = '{\n  "base": "EUR",\n  "rates": {\n    "USD": 0.5,\n    "SEK": 0.1\n  }\n}\n';
const CSV_RATES = 'currency,rate\nEUR,1\nUSD,0.5\nSEK,0.1\n';

test('a JSON and a CSV table give the same rates to the base; the base converts at 1', () => {
  for (const fx of [loadFxRates(file('rates.json', JSON_RATES)), loadFxRates(file('rates.csv', CSV_RATES))]) {
    assert.equal(fx.base, 'EUR');
    assert.deepEqual(fx.currencies, ['EUR', 'SEK', 'USD']);
    assert.equal(fx.toBase(200, 'USD'), 100);
    assert.equal(fx.toBase(200, 'SEK'), 20);
    assert.equal(fx.toBase(200, 'EUR'), 200);
    assert.ok(Number.isNaN(fx.toBase(1, 'GBP')));
  }
  const named = loadFxRates(file('named.csv', 'currency,rate\nbase,gbp\nusd,0.8\n'));
  assert.equal(named.base, 'GBP');
  assert.equal(named.toBase(10, 'USD'), 8);
});

test('a bad table is one line naming the file and the line', () => {
  const cases: [string, string, RegExp][] = [
    [
      'bad.csv',
      'currency,rate\nEUR,1\nUSD,abc\n',
      /bad\.csv:3: the rate of USD must be a finite number > 0, got "abc"$/,
    ],
    ['zero.csv', 'currency,rate\nEUR,1\nUSD,0\n', /zero\.csv:3: the rate of USD must be a finite number > 0/],
    [
      'code.csv',
      'currency,rate\nEUR,1\nDOLLAR,1.1\n',
      /code\.csv:3: a currency must be a 3-letter ISO 4217 code, got "DOLLAR"$/,
    ],
    ['twice.csv', 'currency,rate\nEUR,1\nUSD,1.1\nusd,1.2\n', /twice\.csv:4: USD is listed twice$/],
    ['cells.csv', 'currency,rate\nEUR,1,2\n', /cells\.csv:2: must be "CODE,rate"/],
    ['header.csv', 'code,value\nEUR,1\n', /header\.csv:1: the header must be "currency,rate"/],
    ['nobase.csv', 'currency,rate\nUSD,0.9\n', /nobase\.csv: names no base currency/],
    ['json.json', '{ "base": "EUR", "rates": { "USD": 0.9, }', /json\.json: is not valid JSON/],
    [
      'rate.json',
      '{\n "base": "EUR",\n "rates": {\n  "USD": -1\n }\n}',
      /rate\.json:4: the rate of USD must be a finite number > 0, got -1$/,
    ],
    ['key.json', '{\n "base": "EUR",\n "ratez": {}\n}', /key\.json:3: unknown key "ratez"$/],
    [
      'base.json',
      '{ "rates": { "USD": 1 } }',
      /base\.json:1: "base" must be a 3-letter ISO 4217 code, got undefined$/,
    ],
    ['rates.txt', 'EUR 1', /rates\.txt: unknown file type/],
  ];
  for (const [name, text, expected] of cases) {
    const path = file(name, text);
    assert.throws(
      () => loadFxRates(path),
      (e: unknown) => e instanceof FxRatesError && expected.test(e.message) && !e.message.includes('\n'),
      name,
    );
  }
  assert.throws(() => loadFxRates(join(dir, 'absent.json')), /absent\.json: cannot be read/);
});

test('the environment: DEFAULT_CURRENCY explicit, "none" refuses, a rate table must know the default', () => {
  assert.deepEqual(currencySettingsFromEnv({}), DEFAULT_CURRENCY_SETTINGS);
  assert.equal(currencySettingsFromEnv({ DEFAULT_CURRENCY: 'eur' }).defaultCurrency, 'EUR');
  assert.equal(currencySettingsFromEnv({ DEFAULT_CURRENCY: 'none' }).defaultCurrency, null);
  assert.throws(
    () => currencySettingsFromEnv({ DEFAULT_CURRENCY: 'euro' }),
    /: DEFAULT_CURRENCY: must be a 3-letter ISO 4217 code or "none", got "euro"$/,
  );
  const rates = file('env.csv', CSV_RATES);
  const withTable = currencySettingsFromEnv({ FRAUDWATCH_FX_RATES: rates, DEFAULT_CURRENCY: 'SEK' });
  assert.equal(withTable.fx?.base, 'EUR');
  assert.equal(withTable.defaultCurrency, 'SEK');
  assert.equal(currencySettingsFromEnv({ FRAUDWATCH_FX_RATES: rates }).defaultCurrency, 'USD');
  const noUsd = file('no-usd.csv', 'currency,rate\nEUR,1\nSEK,0.1\n');
  assert.throws(
    () => currencySettingsFromEnv({ FRAUDWATCH_FX_RATES: noUsd }),
    /: DEFAULT_CURRENCY: USD has no rate in .*no-usd\.csv \(FRAUDWATCH_FX_RATES\)/,
  );
  assert.equal(
    currencySettingsFromEnv({ FRAUDWATCH_FX_RATES: noUsd, DEFAULT_CURRENCY: 'none' }).defaultCurrency,
    null,
  );
  assert.throws(
    () => currencySettingsFromEnv({ FRAUDWATCH_FX_RATES: file('broken.csv', 'currency,rate\nEUR,x\n') }),
    /: FRAUDWATCH_FX_RATES: .*broken\.csv:2: the rate of EUR must be a finite number > 0, got "x"$/,
  );
});

test('validation: a missing currency gets the default, or is refused naming currency; a table refuses unknown codes', () => {
  const tx = { transaction_id: 't', timestamp: 1_800_000_000_000, account_id: 'a', amount: 1 };
  const usd = validateTransaction(tx);
  assert.ok(usd.ok);
  assert.equal(usd.value.currency, 'USD');
  const refused = validateTransaction(tx, { defaultCurrency: null, fx: null });
  assert.deepEqual(refused, {
    ok: false,
    errors: [{ path: 'currency', message: 'is required (this server sets no DEFAULT_CURRENCY)' }],
  });
  const fx = loadFxRates(file('validate.json', JSON_RATES));
  const settings = { defaultCurrency: 'EUR', fx };
  const eur = validateTransaction(tx, settings);
  assert.ok(eur.ok);
  assert.equal(eur.value.currency, 'EUR');
  assert.ok(validateTransaction({ ...tx, currency: 'sek' }, settings).ok);
  assert.deepEqual(validateTransaction({ ...tx, currency: 'GBP' }, settings), {
    ok: false,
    errors: [
      {
        path: 'currency',
        message: "GBP has no rate in this server's conversion table (FRAUDWATCH_FX_RATES, base EUR)",
      },
    ],
  });
});

test('with a table, features see base-currency amounts and build one history; the transaction keeps its amount', () => {
  const fx = loadFxRates(file('engine.csv', CSV_RATES));
  const converting = new Engine({ currency: { defaultCurrency: 'EUR', fx } });
  const plain = new Engine();
  const amountAt = indexOfFeature('amount');
  const mean30 = indexOfFeature('account_mean_30d');
  const T = Date.UTC(2026, 2, 2, 12);
  const send = (engine: Engine, i: number, amount: number, currency: string) => {
    const r = validateTransaction(
      { transaction_id: `t${i}`, timestamp: T + i * 60_000, account_id: 'a', amount, currency },
      engine.currency,
    );
    assert.ok(r.ok, JSON.stringify(r));
    engine.score(r.value);
    return { tx: r.value, features: engine.features.slice() };
  };
  // 100 EUR, then 200 USD (= 100 EUR), then 1000 SEK (= 100 EUR): one amount, three currencies.
  send(converting, 0, 100, 'EUR');
  send(converting, 1, 200, 'USD');
  const third = send(converting, 2, 1000, 'SEK');
  assert.equal(third.tx.amount, 1000, 'the stored amount stays as sent');
  assert.equal(third.tx.currency, 'SEK');
  assert.equal(third.features[amountAt], 100);
  assert.equal(third.features[mean30], 100, 'the earlier two were 100 EUR each');

  send(plain, 0, 100, 'EUR');
  send(plain, 1, 200, 'USD');
  const raw = send(plain, 2, 1000, 'SEK');
  assert.equal(raw.features[amountAt], 1000, 'without a table amounts are compared as they are');
  assert.equal(raw.features[mean30], 150);
});
