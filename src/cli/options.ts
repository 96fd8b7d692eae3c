/** Option parsers shared by the sub-commands: each names its option in the error it raises. */
import { InvalidArgumentError, type Command } from 'commander';
import { streamConfigFromEnv, type StreamConfig } from '../stream/stream-config.ts';

export function positiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** Durations like 90s, 15m, 12h, 7d (or plain milliseconds). */
export function durationMs(option: string): (value: string) => number {
  return (value: string) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
    if (!m)
      throw new InvalidArgumentError(
        `${option} must be a duration such as 90s, 15m, 12h or 7d, got "${value}"`,
      );
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
    return Number(m[1]) * unit;
  };
}

/** The stream settings from the environment, or a one-line error naming the variable. */
export function configOrExit(program: Command): StreamConfig {
  try {
    return streamConfigFromEnv();
  } catch (e) {
    return program.error((e as Error).message);
  }
}
