/** A setting in whole milliseconds from the environment: the fallback when unset or empty, else a positive integer. */
export function millisecondsFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name}: must be a positive whole number of milliseconds, got "${raw}"`);
  return value;
}
