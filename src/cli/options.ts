/** Option parsers shared by the sub-commands: each names its option in the error it raises. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { currencySettingsFromEnv, type CurrencySettings } from '../engine/currency-settings.ts';
import { connectStream, type StreamConnection } from '../stream/nats-connection.ts';
import { PartitionCountMismatch } from '../stream/partition-count.ts';
import { StartupError } from './startup-failure.ts';
import { streamConfigFromEnv, type StreamConfig } from '../stream/stream-config.ts';

export function positiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * Durations with a unit: 500ms, 90s, 15min, 12h, 7d, 2w. A bare number is refused (is 3 three days or three
 * milliseconds?), so is `m` (minutes or months?) and so are months and years, whose length varies.
 */
export function parseDuration(value: string): { ms: number } | { error: string } {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  if (!m) return { error: 'must be a duration such as 90s, 15min, 12h or 7d' };
  const unit = m[2]!.toLowerCase();
  if (unit === '') return { error: 'needs a unit: ms, s, min, h, d or w (e.g. 90d)' };
  if (unit === 'm') return { error: 'm is ambiguous: write min for minutes, or days (30d) for a month' };
  if (/^(mo|mon|month|months|y|yr|year|years)$/.test(unit))
    return { error: 'months and years vary in length: give days (e.g. 90d)' };
  const factor = DURATION_UNITS[unit];
  if (factor === undefined) return { error: `unknown unit "${m[2]}": use ms, s, min, h, d or w` };
  return { ms: Number(m[1]) * factor };
}

export function durationMs(option: string): (value: string) => number {
  return (value: string) => {
    const parsed = parseDuration(value);
    if ('error' in parsed)
      throw new InvalidArgumentError(
        `${option} must be a duration such as 90s, 15min, 12h or 7d, got "${value}": ${parsed.error}`,
      );
    return parsed.ms;
  };
}

/** Units a duration is printed in, largest first; weeks are left out so a week reads as 7d, as it is written. */
const PRINTED_UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** A duration as it would be typed: the largest unit that divides it exactly (604800000 → 7d, 90000 → 90s). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, factor] of PRINTED_UNITS) if (ms % factor === 0) return `${ms / factor}${unit}`;
  return `${ms}ms`;
}

/** An option taking a duration; its default, if any, is shown in `--help` as it would be typed (7d). */
export function durationOption(flags: string, description: string, defaultMs?: number): Option {
  const name = flags.split(/[ ,]/)[0]!;
  const option = new Option(flags, description).argParser(durationMs(name));
  return defaultMs === undefined ? option : option.default(defaultMs, formatDuration(defaultMs));
}

/** The stream settings from the environment; a bad one is a start-up failure naming the variable. */
export function configOrExit(): StreamConfig {
  try {
    return streamConfigFromEnv();
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
}

/** NATS JetStream, or a start-up failure naming NATS_URL. */
export async function connectOrExit(
  config: StreamConfig,
  tuning?: Parameters<typeof connectStream>[1],
): Promise<StreamConnection> {
  try {
    return await connectStream(config, tuning);
  } catch (e) {
    // A stream with another partition count names its own fix; anything else is the server or its address.
    if (e instanceof PartitionCountMismatch) throw new StartupError(e.message);
    throw new StartupError(`${(e as Error).message}: check NATS_URL`);
  }
}

/** DEFAULT_CURRENCY and FRAUDWATCH_FX_RATES, or exit with the one line that names what is wrong. */
export function currencyOrExit(program: Command): CurrencySettings {
  try {
    return currencySettingsFromEnv();
  } catch (e) {
    return program.error((e as Error).message);
  }
}
