/**
 * Deterministic labelled traffic, generated day by day (each day sorted by time, then emitted), so a run of
 * millions of transactions streams in constant memory. Fraud scenarios are described in docs/simulator.md.
 */
import type { Transaction } from '../engine/transaction.ts';
import { createPopulation, type Population, type SimAccount } from './population.ts';
import { Random } from './random.ts';
import { CATEGORIES, CITIES } from './world.ts';

export interface SimulatorOptions {
  accounts: number;
  /** Default: max(50, accounts / 20). */
  merchants?: number;
  days: number;
  seed: number;
  /** Epoch ms of the first day (midnight UTC). Default 2026-01-01. */
  start?: number;
  /** Target share of fraudulent transactions. Default 0.005. */
  fraudRate?: number;
  /** Prefix of every transaction id. Default `tx-`. */
  idPrefix?: string;
}

export interface SimulatedTransaction {
  tx: Transaction;
  label: 0 | 1;
  scenario: string;
}

export const SCENARIOS = [
  'stolen_card',
  'compromised_terminal',
  'account_takeover',
  'card_testing',
  'gambling_outside_home',
] as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
export const DEFAULT_START = Date.UTC(2026, 0, 1);
const BASE_FRAUD_RATE = 0.005;

interface SimEvent {
  t: number;
  account: number;
  merchant: number;
  amount: number;
  device: string;
  ip: string;
  city: number;
  label: 0 | 1;
  scenario: string;
  order: number;
}

interface Episode {
  account: number;
  until: number; // last day (inclusive)
  device: string;
  city: number;
}

const ONLINE_FRAUD_CATEGORIES = ['electronics', 'online_services', 'travel', 'clothing', 'crypto'];

class DaySimulator {
  private readonly rng: Random;
  private readonly pop: Population;
  private readonly stolen: Episode[] = [];
  private readonly compromised = new Map<number, number>(); // merchant → last day
  private events: SimEvent[] = [];
  private order = 0;
  private attackers = 0;
  private readonly scale: number;
  private readonly fraudCategoryMerchants: number[];

  constructor(private readonly options: Required<Omit<SimulatorOptions, 'idPrefix'>>) {
    this.rng = new Random(options.seed);
    this.pop = createPopulation(this.rng, options.accounts, options.merchants);
    this.scale = options.fraudRate / BASE_FRAUD_RATE;
    this.fraudCategoryMerchants = this.pop.merchants
      .map((m, i) => (ONLINE_FRAUD_CATEGORIES.includes(CATEGORIES[m.category]!.name) ? i : -1))
      .filter((i) => i >= 0);
    if (this.fraudCategoryMerchants.length === 0) this.fraudCategoryMerchants.push(0);
  }

  get population(): Population {
    return this.pop;
  }

  day(d: number): SimEvent[] {
    this.events = [];
    const dayStart = this.options.start + d * DAY;
    const weekday = (Math.floor(dayStart / DAY) + 4) % 7;
    const factor = weekday === 0 || weekday === 6 ? 0.92 : 1.03;
    const accounts = this.pop.accounts;
    for (let a = 0; a < accounts.length; a++) {
      const n = this.rng.poisson(accounts[a]!.perDay * factor);
      for (let k = 0; k < n; k++) this.legit(a, dayStart);
    }
    this.fraud(d, dayStart);
    this.events.sort((x, y) => x.t - y.t || x.order - y.order);
    return this.events;
  }

  private push(e: Omit<SimEvent, 'order'>): void {
    (e as SimEvent).order = this.order++;
    this.events.push(e as SimEvent);
  }

  private timeOfDay(account: SimAccount, dayStart: number): number {
    let hour = account.peakHour + 3.5 * this.rng.normal();
    hour = ((hour % 24) + 24) % 24;
    return dayStart + Math.floor(hour * HOUR + this.rng.next() * MINUTE);
  }

  private legit(a: number, dayStart: number): void {
    const rng = this.rng;
    const account = this.pop.accounts[a]!;
    let merchant: number;
    const r = rng.next();
    if (r < 0.86) merchant = rng.pick(account.favourites);
    else if (r < 0.985) {
      const local = this.pop.byCity[account.home]!;
      merchant =
        local.length > 0 && rng.chance(0.6)
          ? rng.pick(local)
          : rng.pick(this.pop.online.length ? this.pop.online : [0]);
    } else merchant = rng.int(this.pop.merchants.length); // travel and one-offs: legit noise outside home
    const m = this.pop.merchants[merchant]!;
    const category = CATEGORIES[m.category]!;
    const amount = account.typicalAmount * Math.pow(category.amountFactor, 0.6) * rng.logNormal(1, 0.55);
    const compromisedUntil = this.compromised.get(merchant);
    const hit = compromisedUntil !== undefined && rng.chance(0.4);
    this.push({
      t: this.timeOfDay(account, dayStart),
      account: a,
      merchant,
      amount,
      device: rng.pick(account.devices),
      ip: account.ipBase,
      city: category.channel === 'card_present' ? m.city : account.home,
      label: hit ? 1 : 0,
      scenario: hit ? 'compromised_terminal' : 'legit',
    });
  }

  private attackerDevice(): string {
    return `dev-x${String(this.attackers++).padStart(6, '0')}`;
  }

  private attackerIp(): string {
    return `203.0.${this.rng.int(256)}.${this.rng.int(256)}`;
  }

  private otherCity(home: number): number {
    const c = this.rng.int(CITIES.length - 1);
    return c >= home ? c + 1 : c;
  }

  /**
   * How many episodes start today. `floorRate` keeps rare scenarios alive in small populations; `force` starts
   * one for sure (on a fixed early day per scenario) so that even a small run shows every scenario.
   */
  private episodesToday(ratePerAccount: number, floorRate: number, force: boolean): number {
    if (this.scale === 0) return 0;
    const mean = Math.max(floorRate * this.scale, this.pop.accounts.length * ratePerAccount * this.scale);
    return this.rng.poisson(mean) + (force ? 1 : 0);
  }

  private fraud(d: number, dayStart: number): void {
    const rng = this.rng;
    const accounts = this.pop.accounts;
    // Compromised terminals: start now and then, last 2-4 weeks; their legit traffic turns partly fraud.
    for (const [merchant, until] of this.compromised) if (until < d) this.compromised.delete(merchant);
    const newTerminals = this.episodesToday(0.0000075, 0.02, d === 3);
    for (let k = 0; k < newTerminals; k++) {
      const popular = accounts[rng.int(accounts.length)]!.favourites;
      this.compromised.set(rng.pick(popular), d + 14 + rng.int(15));
    }
    // Stolen cards: a few days of high amounts at online shops, often from a new device, sometimes abroad.
    for (let k = this.episodesToday(0.0004, 0, d === 0); k > 0; k--) {
      const a = rng.int(accounts.length);
      const home = accounts[a]!.home;
      this.stolen.push({
        account: a,
        until: d + rng.int(3),
        device: rng.chance(0.5) ? this.attackerDevice() : rng.pick(accounts[a]!.devices),
        city: rng.chance(0.4) ? this.otherCity(home) : home,
      });
    }
    for (let i = this.stolen.length - 1; i >= 0; i--) {
      const ep = this.stolen[i]!;
      const account = accounts[ep.account]!;
      for (let n = 2 + rng.int(5); n > 0; n--) {
        this.push({
          t: dayStart + rng.int(DAY),
          account: ep.account,
          merchant: rng.pick(this.fraudCategoryMerchants),
          amount: account.typicalAmount * rng.between(3, 12),
          device: ep.device,
          ip: this.attackerIp(),
          city: ep.city,
          label: 1,
          scenario: 'stolen_card',
        });
      }
      if (ep.until <= d) this.stolen.splice(i, 1);
    }
    // Account takeover: new device, new country, then a few large transfers within two hours.
    for (let k = this.episodesToday(0.0003, 0, d === 1); k > 0; k--) {
      const a = rng.int(accounts.length);
      const account = accounts[a]!;
      const device = this.attackerDevice();
      const city = this.otherCity(account.home);
      const transfers = this.pop.byCategory[CATEGORIES.findIndex((c) => c.name === 'money_transfer')]!;
      let t = dayStart + rng.int(DAY - 3 * HOUR);
      for (let n = 2 + rng.int(3); n > 0; n--) {
        t += rng.int(40 * MINUTE);
        this.push({
          t,
          account: a,
          merchant: transfers.length ? rng.pick(transfers) : rng.pick(this.fraudCategoryMerchants),
          amount: account.typicalAmount * rng.between(5, 20),
          device,
          ip: this.attackerIp(),
          city,
          label: 1,
          scenario: 'account_takeover',
        });
      }
    }
    // Card testing: a burst of tiny online payments within minutes, then one larger one.
    for (let k = this.episodesToday(0.00015, 0, d === 2); k > 0; k--) {
      const a = rng.int(accounts.length);
      const account = accounts[a]!;
      const device = this.attackerDevice();
      const ip = this.attackerIp();
      const shop = rng.pick(this.pop.online.length ? this.pop.online : [0]);
      let t = dayStart + rng.int(DAY - HOUR);
      for (let n = 5 + rng.int(8); n >= 0; n--) {
        t += MINUTE + rng.int(3 * MINUTE);
        const last = n === 0;
        this.push({
          t,
          account: a,
          merchant: last ? rng.pick(this.fraudCategoryMerchants) : shop,
          amount: last ? account.typicalAmount * rng.between(3, 8) : rng.between(0.5, 5),
          device,
          ip,
          city: account.home,
          label: 1,
          scenario: 'card_testing',
        });
      }
    }
    // Gambling or crypto away from home.
    const gambling = [
      ...this.pop.byCategory[CATEGORIES.findIndex((c) => c.name === 'gambling')]!,
      ...this.pop.byCategory[CATEGORIES.findIndex((c) => c.name === 'crypto')]!,
    ];
    for (let k = gambling.length ? this.episodesToday(0.0003, 0, d === 4) : 0; k > 0; k--) {
      const a = rng.int(accounts.length);
      const account = accounts[a]!;
      const away = gambling.filter((m) => this.pop.merchants[m]!.city !== account.home);
      const merchant = rng.pick(away.length ? away : gambling);
      for (let n = 1 + rng.int(2); n > 0; n--) {
        this.push({
          t: dayStart + rng.int(DAY),
          account: a,
          merchant,
          amount: account.typicalAmount * rng.between(1.5, 5),
          device: rng.pick(account.devices),
          ip: account.ipBase,
          city: this.pop.merchants[merchant]!.city,
          label: 1,
          scenario: 'gambling_outside_home',
        });
      }
    }
  }
}

/** Simulated transactions in global timestamp order (ties in generation order). */
export function* simulate(options: SimulatorOptions): Generator<SimulatedTransaction> {
  const full = {
    accounts: options.accounts,
    merchants: options.merchants ?? Math.max(50, Math.floor(options.accounts / 20)),
    days: options.days,
    seed: options.seed,
    start: options.start ?? DEFAULT_START,
    fraudRate: options.fraudRate ?? BASE_FRAUD_RATE,
  };
  const prefix = options.idPrefix ?? 'tx-';
  const sim = new DaySimulator(full);
  const pop = sim.population;
  let seq = 0;
  for (let d = 0; d < full.days; d++) {
    for (const e of sim.day(d)) {
      seq++;
      const m = pop.merchants[e.merchant]!;
      const category = CATEGORIES[m.category]!;
      const city = CITIES[e.city]!;
      // Coordinates jittered within ~5 km so the same city does not give the same point every time.
      const jitter = (seq * 2654435761) >>> 0;
      yield {
        tx: {
          transaction_id: `${prefix}${String(seq).padStart(9, '0')}`,
          timestamp: e.t,
          account_id: pop.accounts[e.account]!.id,
          amount: Math.max(0.01, Math.round(e.amount * 100) / 100),
          currency: city.currency,
          merchant_id: m.id,
          merchant_category: category.name,
          country: city.country,
          city: city.name,
          latitude: Math.round((city.latitude + ((jitter & 0xffff) / 0xffff - 0.5) * 0.08) * 1e5) / 1e5,
          longitude: Math.round((city.longitude + ((jitter >>> 16) / 0xffff - 0.5) * 0.08) * 1e5) / 1e5,
          channel: category.channel,
          device_id: e.device,
          ip: e.ip,
        },
        label: e.label,
        scenario: e.scenario,
      };
    }
  }
}
