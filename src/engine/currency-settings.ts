/**
 * What a process does with currencies: the currency assumed for a transaction that names none (DEFAULT_CURRENCY)
 * and the optional conversion table for features (FRAUDWATCH_FX_RATES, fx-rates.ts). Read once at start; a bad
 * setting stops the start with one line naming it.
 */
import { FxRatesError, loadFxRates, type FxRates } from './fx-rates.ts';

export interface CurrencySettings {
  /** The currency of a transaction without one; null refuses such a transaction (an error naming `currency`). */
  readonly defaultCurrency: string | null;
  /** Conversion to a base currency before features; null compares amounts of different currencies as they are. */
  readonly fx: FxRates | null;
}

/** Unset DEFAULT_CURRENCY means USD, as before the setting existed; `none` refuses a missing currency. */
export const DEFAULT_CURRENCY = 'USD';

export const DEFAULT_CURRENCY_SETTINGS: CurrencySettings = Object.freeze({
  defaultCurrency: DEFAULT_CURRENCY,
  fx: null,
});

/** Reads DEFAULT_CURRENCY and FRAUDWATCH_FX_RATES; throws an FxRatesError (one line) for a bad value or file. */
export function currencySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CurrencySettings {
  const file = env.FRAUDWATCH_FX_RATES?.trim() || undefined;
  let fx: FxRates | null = null;
  if (file !== undefined) {
    try {
      fx = loadFxRates(file);
    } catch (e) {
      if (e instanceof FxRatesError) throw new FxRatesError(`FRAUDWATCH_FX_RATES: ${e.message}`);
      throw e;
    }
  }
  const raw = env.DEFAULT_CURRENCY?.trim();
  let defaultCurrency: string | null = DEFAULT_CURRENCY;
  if (raw !== undefined && raw !== '') {
    if (raw.toLowerCase() === 'none') defaultCurrency = null;
    else if (/^[A-Za-z]{3}$/.test(raw)) defaultCurrency = raw.toUpperCase();
    else
      throw new FxRatesError(
        `DEFAULT_CURRENCY: must be a 3-letter ISO 4217 code or "none", got ${JSON.stringify(raw)}`,
      );
  }
  if (fx !== null && defaultCurrency !== null && !fx.has(defaultCurrency))
    throw new FxRatesError(
      `DEFAULT_CURRENCY: ${defaultCurrency} has no rate in ${fx.source} (FRAUDWATCH_FX_RATES); add it or set DEFAULT_CURRENCY`,
    );
  return Object.freeze({ defaultCurrency, fx });
}
