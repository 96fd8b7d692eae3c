/** Writes simulated traffic as CSV or JSON Lines, gzip when the name ends in .gz, streaming with back-pressure. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { formatOf, type FileFormat } from '../ingest/file-records.ts';
import { simulate, type SimulatedTransaction, type SimulatorOptions } from './simulate.ts';

export const SIMULATION_COLUMNS = [
  'transaction_id',
  'timestamp',
  'account_id',
  'amount',
  'currency',
  'merchant_id',
  'merchant_category',
  'country',
  'city',
  'latitude',
  'longitude',
  'channel',
  'device_id',
  'ip',
  'label',
  'scenario',
] as const;

export type SimulationFormat = FileFormat;

/** The format from the file name (the same rule the readers use), or an error naming `--out`. */
export function simulationFormatOf(path: string): { format: SimulationFormat; gzip: boolean } {
  try {
    return formatOf(path);
  } catch {
    throw new Error(
      `--out: unknown file type "${path}" (expected .csv, .jsonl or .ndjson, optionally + .gz)`,
    );
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function record(row: SimulatedTransaction): Record<string, string | number> {
  const tx = row.tx;
  return {
    transaction_id: tx.transaction_id,
    timestamp: new Date(tx.timestamp).toISOString(),
    account_id: tx.account_id,
    amount: Number(tx.amount.toFixed(2)),
    currency: tx.currency,
    merchant_id: tx.merchant_id ?? '',
    merchant_category: tx.merchant_category ?? '',
    country: tx.country ?? '',
    city: tx.city ?? '',
    latitude: tx.latitude ?? '',
    longitude: tx.longitude ?? '',
    channel: tx.channel ?? '',
    device_id: tx.device_id ?? '',
    ip: tx.ip ?? '',
    label: row.label,
    scenario: row.scenario,
  };
}

export function formatRow(row: SimulatedTransaction, format: SimulationFormat): string {
  const r = record(row);
  if (format === 'jsonl') return `${JSON.stringify(r)}\n`;
  let line = '';
  for (let i = 0; i < SIMULATION_COLUMNS.length; i++) {
    const v = r[SIMULATION_COLUMNS[i]!]!;
    line += (i ? ',' : '') + (typeof v === 'number' ? String(v) : csvCell(v));
  }
  return `${line}\n`;
}

/** Writes a simulation to a file path (format from the extension) or to a stream as JSON Lines. */
export async function writeSimulation(
  options: SimulatorOptions,
  out: string | Writable,
): Promise<{ rows: number; frauds: number }> {
  const { format, gzip } =
    typeof out === 'string' ? simulationFormatOf(out) : { format: 'jsonl' as const, gzip: false };
  const file = typeof out === 'string' ? createWriteStream(out) : out;
  let sink: Writable = file;
  if (gzip) {
    const z = createGzip();
    z.pipe(file);
    sink = z;
  }
  let failure: Error | null = null;
  file.on('error', (e: Error) => (failure = e));
  let rows = 0;
  let frauds = 0;
  let buffer = format === 'csv' ? `${SIMULATION_COLUMNS.join(',')}\n` : '';
  for (const row of simulate(options)) {
    rows++;
    frauds += row.label;
    buffer += formatRow(row, format);
    if (buffer.length > 1 << 16) {
      if (failure) throw failure;
      if (!sink.write(buffer)) await once(sink, 'drain');
      buffer = '';
    }
  }
  if (buffer) sink.write(buffer);
  if (typeof out === 'string') {
    sink.end();
    await once(file, 'close');
  }
  if (failure) throw failure;
  return { rows, frauds };
}
