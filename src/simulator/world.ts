/** The simulated world: cities with coordinates and currencies, and merchant categories with their habits. */

export interface City {
  name: string;
  country: string;
  currency: string;
  latitude: number;
  longitude: number;
}

export const CITIES: readonly City[] = [
  { name: 'Helsinki', country: 'FI', currency: 'EUR', latitude: 60.1699, longitude: 24.9384 },
  { name: 'Turku', country: 'FI', currency: 'EUR', latitude: 60.4518, longitude: 22.2666 },
  { name: 'Tampere', country: 'FI', currency: 'EUR', latitude: 61.4978, longitude: 23.761 },
  { name: 'Stockholm', country: 'SE', currency: 'SEK', latitude: 59.3293, longitude: 18.0686 },
  { name: 'Gothenburg', country: 'SE', currency: 'SEK', latitude: 57.7089, longitude: 11.9746 },
  { name: 'Oslo', country: 'NO', currency: 'NOK', latitude: 59.9139, longitude: 10.7522 },
  { name: 'Copenhagen', country: 'DK', currency: 'DKK', latitude: 55.6761, longitude: 12.5683 },
  { name: 'Tallinn', country: 'EE', currency: 'EUR', latitude: 59.437, longitude: 24.7536 },
  { name: 'Berlin', country: 'DE', currency: 'EUR', latitude: 52.52, longitude: 13.405 },
  { name: 'Munich', country: 'DE', currency: 'EUR', latitude: 48.1351, longitude: 11.582 },
  { name: 'Hamburg', country: 'DE', currency: 'EUR', latitude: 53.5511, longitude: 9.9937 },
  { name: 'Paris', country: 'FR', currency: 'EUR', latitude: 48.8566, longitude: 2.3522 },
  { name: 'Lyon', country: 'FR', currency: 'EUR', latitude: 45.764, longitude: 4.8357 },
  { name: 'Madrid', country: 'ES', currency: 'EUR', latitude: 40.4168, longitude: -3.7038 },
  { name: 'Barcelona', country: 'ES', currency: 'EUR', latitude: 41.3874, longitude: 2.1686 },
  { name: 'Lisbon', country: 'PT', currency: 'EUR', latitude: 38.7223, longitude: -9.1393 },
  { name: 'Rome', country: 'IT', currency: 'EUR', latitude: 41.9028, longitude: 12.4964 },
  { name: 'Milan', country: 'IT', currency: 'EUR', latitude: 45.4642, longitude: 9.19 },
  { name: 'Amsterdam', country: 'NL', currency: 'EUR', latitude: 52.3676, longitude: 4.9041 },
  { name: 'Brussels', country: 'BE', currency: 'EUR', latitude: 50.8503, longitude: 4.3517 },
  { name: 'Vienna', country: 'AT', currency: 'EUR', latitude: 48.2082, longitude: 16.3738 },
  { name: 'Warsaw', country: 'PL', currency: 'PLN', latitude: 52.2297, longitude: 21.0122 },
  { name: 'Prague', country: 'CZ', currency: 'CZK', latitude: 50.0755, longitude: 14.4378 },
  { name: 'Dublin', country: 'IE', currency: 'EUR', latitude: 53.3498, longitude: -6.2603 },
  { name: 'London', country: 'GB', currency: 'GBP', latitude: 51.5074, longitude: -0.1278 },
  { name: 'Manchester', country: 'GB', currency: 'GBP', latitude: 53.4808, longitude: -2.2426 },
  { name: 'New York', country: 'US', currency: 'USD', latitude: 40.7128, longitude: -74.006 },
  { name: 'Chicago', country: 'US', currency: 'USD', latitude: 41.8781, longitude: -87.6298 },
  { name: 'Toronto', country: 'CA', currency: 'CAD', latitude: 43.6532, longitude: -79.3832 },
  { name: 'Singapore', country: 'SG', currency: 'SGD', latitude: 1.3521, longitude: 103.8198 },
  { name: 'Lagos', country: 'NG', currency: 'NGN', latitude: 6.5244, longitude: 3.3792 },
  { name: 'Sao Paulo', country: 'BR', currency: 'BRL', latitude: -23.5505, longitude: -46.6333 },
];

export interface Category {
  name: string;
  /** Share of merchants in this category. */
  weight: number;
  /** Typical ticket relative to the account's own typical amount. */
  amountFactor: number;
  channel: 'card_present' | 'ecommerce' | 'transfer';
}

export const CATEGORIES: readonly Category[] = [
  { name: 'groceries', weight: 20, amountFactor: 0.8, channel: 'card_present' },
  { name: 'restaurants', weight: 14, amountFactor: 0.9, channel: 'card_present' },
  { name: 'fuel', weight: 8, amountFactor: 1.1, channel: 'card_present' },
  { name: 'clothing', weight: 8, amountFactor: 1.6, channel: 'card_present' },
  { name: 'pharmacy', weight: 5, amountFactor: 0.6, channel: 'card_present' },
  { name: 'electronics', weight: 5, amountFactor: 3.5, channel: 'ecommerce' },
  { name: 'online_services', weight: 10, amountFactor: 0.5, channel: 'ecommerce' },
  { name: 'travel', weight: 4, amountFactor: 5, channel: 'ecommerce' },
  { name: 'entertainment', weight: 6, amountFactor: 1, channel: 'card_present' },
  { name: 'gambling', weight: 3, amountFactor: 1.2, channel: 'ecommerce' },
  { name: 'crypto', weight: 2, amountFactor: 2.5, channel: 'ecommerce' },
  { name: 'money_transfer', weight: 3, amountFactor: 3, channel: 'transfer' },
];

export const CATEGORY_WEIGHT_TOTAL = CATEGORIES.reduce((s, c) => s + c.weight, 0);
export const CATEGORY_WEIGHTS = CATEGORIES.map((c) => c.weight);
