/**
 * The optional conversion table (FRAUDWATCH_FX_RATES): how many units of the base currency one unit of each
 * currency is worth. With it, feature amounts are in the base currency, so an account paying in EUR and SEK
 * builds one set of statistics; without it, amounts of different currencies are compared as they are.
 *
 * Two file forms, chosen by extension:
 * - JSON: `{ "base": "EUR", "rates": { "USD": 0.92, "SEK": 0.087 } }`
 * - CSV: a header `currency,rate` then one row per currency; the base is the currency whose rate is 1
 *   (or a `base,EUR` row, for a base that would otherwise not appear).
 * The base currency always converts at 1, listed or not.
 */
import { readFileSync } from 'node:fs';

const CURRENCY_CODE = /^[A-Z]{3}$/;
/** More currencies than ISO 4217 has; a file past it is not a rates table. */
const MAX_CURRENCIES = 1000;

/** A rates file that cannot be used: one line naming the file and, where it applies, the line. */
export class FxRatesError extends Error {}

export class FxRates {
  private readonly rates: ReadonlyMap<string, number>;

  constructor(
    readonly base: string,
    rates: ReadonlyMap<string, number>,
    /** Where the table came from, for error messages. */
    readonly source: string,
  ) {
    const all = new Map(rates);
    all.set(base, 1);
    this.rates = all;
  }

  has(currency: string): boolean {
    return this.rates.has(currency);
  }

  /** `amount` of `currency` in the base currency; NaN for a currency the table lacks (validation refuses those). */
  toBase(amount: number, currency: string): number {
    const rate = this.rates.get(currency);
    return rate === undefined ? NaN : amount * rate;
  }

  get currencies(): string[] {
    return [...this.rates.keys()].sort();
  }
}

function fail(where: string, message: string): never {
  throw new FxRatesError(`${where}: ${message}`);
}

function checkCode(code: unknown, where: string, what: string): string {
  if (typeof code !== 'string' || !CURRENCY_CODE.test(code.trim().toUpperCase()))
    fail(where, `${what} must be a 3-letter ISO 4217 code, got ${JSON.stringify(code)}`);
  return code.trim().toUpperCase();
}

function checkRate(rate: unknown, where: string, currency: string): number {
  const value =
    typeof rate === 'string' && /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(rate.trim()) ? Number(rate) : rate;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(where, `the rate of ${currency} must be a finite number > 0, got ${JSON.stringify(rate)}`);
  return value;
}

/** The 1-based line of `key`'s first appearance in JSON text (for messages), or undefined. */
function jsonLineOf(text: string, key: string): number | undefined {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}

export function parseFxJson(text: string, file: string): FxRates {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail(file, 'must be a JSON object { "base": "EUR", "rates": { "USD": 0.92, ... } }');
  const { base, rates, ...rest } = doc as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) fail(`${file}:${jsonLineOf(text, unknown) ?? 1}`, `unknown key "${unknown}"`);
  const baseCode = checkCode(base, `${file}:${jsonLineOf(text, 'base') ?? 1}`, '"base"');
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates))
    fail(`${file}:${jsonLineOf(text, 'rates') ?? 1}`, '"rates" must be an object of currency: rate');
  const entries = Object.entries(rates as Record<string, unknown>);
  if (entries.length > MAX_CURRENCIES) fail(file, `has ${entries.length} rates; at most ${MAX_CURRENCIES}`);
  const table = new Map<string, number>();
  for (const [code, rate] of entries) {
    const where = `${file}:${jsonLineOf(text, code) ?? 1}`;
    const currency = checkCode(code, where, 'a currency');
    if (table.has(currency)) fail(where, `${currency} is listed twice`);
    table.set(currency, checkRate(rate, where, currency));
  }
  const own = table.get(baseCode);
  if (own !== undefined && own !== 1) fail(file, `the base ${baseCode} must have rate 1, got ${own}`);
  return new FxRates(baseCode, table, file);
}

export function parseFxCsv(text: string, file: string): FxRates {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'currency' || header[1] !== 'rate')
    fail(`${file}:1`, `the header must be "currency,rate", got ${JSON.stringify(lines[0] ?? '')}`);
  const table = new Map<string, number>();
  let base: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 2) fail(where, `must be "CODE,rate", got ${JSON.stringify(line)}`);
    if (cells[0]!.toLowerCase() === 'base') {
      if (base !== null) fail(where, 'the base is named twice');
      base = checkCode(cells[1], where, 'the base');
      continue;
    }
    if (table.size >= MAX_CURRENCIES) fail(where, `more than ${MAX_CURRENCIES} rates`);
    const currency = checkCode(cells[0], where, 'a currency');
    if (table.has(currency)) fail(where, `${currency} is listed twice`);
    table.set(currency, checkRate(cells[1], where, currency));
  }
  const ones = [...table].filter(([, rate]) => rate === 1).map(([code]) => code);
  if (base === null) {
    if (ones.length !== 1)
      fail(
        file,
        ones.length === 0
          ? 'names no base currency: give it rate 1 or add a "base,CODE" row'
          : `has several currencies at rate 1 (${ones.join(', ')}); add a "base,CODE" row`,
      );
    base = ones[0]!;
  } else if (table.has(base) && table.get(base) !== 1) {
    fail(file, `the base ${base} must have rate 1, got ${table.get(base)}`);
  }
  return new FxRates(base, table, file);
}

/** Reads a rates file (.json or .csv); every problem is an FxRatesError of one line naming the file. */
export function loadFxRates(file: string): FxRates {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(file, `cannot be read (${(e as Error).message})`);
  }
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return parseFxJson(text, file);
  if (lower.endsWith('.csv')) return parseFxCsv(text, file);
  fail(file, 'unknown file type (expected .json or .csv)');
}
