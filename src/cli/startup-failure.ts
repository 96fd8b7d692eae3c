/**
 * Start-up failures an operator fixes in the set-up (a database not there, a port taken, a path not writable):
 * one line on stderr naming the problem and the setting to change, and exit code 2. Anything else is a bug and
 * keeps its stack trace.
 */
import { StoreUnavailable } from '../store/open-store.ts';

/** A start-up problem whose message already names the setting to change. */
export class StartupError extends Error {}

/** What `listen` failed with, as a StartupError naming the option (and variable) that sets the port. */
export function listenFailure(error: unknown, host: string, port: number, setting: string): unknown {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `port ${port} on ${host} is in use (EADDRINUSE): choose another with ${setting}`,
      );
    case 'EACCES':
      return new StartupError(
        `not allowed to listen on port ${port} (EACCES): choose one above 1023 with ${setting}`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on address ${host} (${code}): check --host`);
    default:
      return error;
  }
}

/** Reads settings from the environment; a value refused by name (a RangeError) is a start-up failure. */
export function settingsOrFail<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError) throw new StartupError(e.message);
    throw e;
  }
}

/** The one line for a start-up failure, or null for an error that is not one. */
export function startupFailureMessage(error: unknown): string | null {
  if (error instanceof StartupError || error instanceof StoreUnavailable) return error.message;
  return null;
}

/** Prints `fraudwatch: <message>` and exits 2 for a start-up failure; rethrows anything else. */
export function exitOnStartupFailure(error: unknown): never {
  const message = startupFailureMessage(error);
  if (message === null) throw error;
  console.error(`fraudwatch: ${message}`);
  process.exit(2);
}
