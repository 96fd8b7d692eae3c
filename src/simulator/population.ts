/** The simulated accounts and merchants, drawn once from the seed. */
import type { Random } from './random.ts';
import { CATEGORIES, CATEGORY_WEIGHT_TOTAL, CATEGORY_WEIGHTS, CITIES } from './world.ts';

export interface SimMerchant {
  id: string;
  category: number; // index into CATEGORIES
  city: number; // index into CITIES
}

export interface SimAccount {
  id: string;
  home: number; // city index
  /** Median ticket, log-normal across accounts so habits differ by orders of magnitude. */
  typicalAmount: number;
  perDay: number;
  peakHour: number;
  devices: string[];
  /** Merchants the account returns to. */
  favourites: number[];
  ipBase: string;
}

export interface Population {
  accounts: SimAccount[];
  merchants: SimMerchant[];
  /** Merchant indices per city, and the online ones (usable from anywhere). */
  byCity: number[][];
  online: number[];
  byCategory: number[][];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function createPopulation(rng: Random, accounts: number, merchants: number): Population {
  const byCity: number[][] = CITIES.map(() => []);
  const byCategory: number[][] = CATEGORIES.map(() => []);
  const online: number[] = [];
  const merchantList: SimMerchant[] = [];
  // Most merchants sit in the first (home-market) cities; a few abroad.
  for (let m = 0; m < merchants; m++) {
    const category = rng.weighted(CATEGORY_WEIGHTS, CATEGORY_WEIGHT_TOTAL);
    const city = rng.chance(0.8) ? rng.int(12) : rng.int(CITIES.length);
    merchantList.push({ id: `m${pad(m, 5)}`, category, city });
    byCity[city]!.push(m);
    byCategory[category]!.push(m);
    if (CATEGORIES[category]!.channel !== 'card_present') online.push(m);
  }
  const accountList: SimAccount[] = [];
  for (let a = 0; a < accounts; a++) {
    const home = rng.chance(0.85) ? rng.int(12) : rng.int(CITIES.length);
    const local = byCity[home]!.filter(
      (m) => CATEGORIES[merchantList[m]!.category]!.channel === 'card_present',
    );
    const favourites: number[] = [];
    const wanted = 3 + rng.int(8);
    for (let k = 0; k < wanted; k++) {
      const pool =
        local.length > 0 && rng.chance(0.75) ? local : online.length > 0 ? online : [rng.int(merchants)];
      const m = rng.pick(pool);
      if (!favourites.includes(m) && CATEGORIES[merchantList[m]!.category]!.name !== 'gambling')
        favourites.push(m);
    }
    if (favourites.length === 0) favourites.push(rng.int(merchants));
    const deviceCount = rng.chance(0.6) ? 1 : 2;
    const devices = Array.from({ length: deviceCount }, (_, d) => `dev-${pad(a, 7)}-${d}`);
    accountList.push({
      id: `acct-${pad(a, 7)}`,
      home,
      typicalAmount: Math.min(5000, Math.max(3, rng.logNormal(45, 0.9))),
      perDay: Math.min(8, Math.max(0.15, rng.logNormal(1.1, 0.7))),
      peakHour: Math.min(21, Math.max(8, 14 + 3 * rng.normal())),
      devices,
      favourites,
      ipBase: `10.${home}.${(a >> 8) & 255}.${a & 255}`,
    });
  }
  return { accounts: accountList, merchants: merchantList, byCity, online, byCategory };
}
