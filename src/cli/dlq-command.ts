/** `fraudwatch dlq list|replay`: read the dead-letter stream, and re-drive its messages once the cause is fixed. */
import type { Command } from 'commander';
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  listDeadLetters,
  replayDeadLetters,
  type DeadLetter,
  type StoredDeadLetter,
} from '../stream/dead-letters.ts';
import { streamNames, type StreamConfig } from '../stream/stream-config.ts';
import { configOrExit, connectOrExit, positiveInt } from './options.ts';

function fail(message: string, exitCode: number): never {
  console.error(`fraudwatch dlq replay: ${message}`);
  process.exit(exitCode);
}

/** `--seq` values as stream sequences, or the first one that is not a positive whole number. */
export function parseSequences(values: readonly string[]): { seqs: number[] } | { bad: string } {
  const seqs: number[] = [];
  for (const value of values) {
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)) || Number(value) <= 0)
      return { bad: value };
    seqs.push(Number(value));
  }
  return { seqs };
}

/** The dead letters at these sequences, and the sequences that hold none (replayed, or never there). */
async function deadLettersAt(
  jsm: JetStreamManager,
  config: StreamConfig,
  seqs: readonly number[],
): Promise<{ found: StoredDeadLetter[]; missing: number[] }> {
  const name = streamNames(config).deadLetters;
  const found: StoredDeadLetter[] = [];
  const missing: number[] = [];
  for (const seq of new Set(seqs)) {
    const message = await jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (message === null) missing.push(seq);
    else found.push({ ...(message.json() as DeadLetter), seq });
  }
  return { found, missing };
}

export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('the dead-letter stream (env NATS_URL, FRAUDWATCH_STREAM_PREFIX)');
  dlq
    .command('list')
    .description('print dead letters, oldest first: one JSON line each (seq, error, attempts, payload, ...)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 100)
    .action(async (opts: { limit: number }) => {
      const config = configOrExit();
      const stream = await connectOrExit(config);
      for (const letter of await listDeadLetters(stream.jsm, config, opts.limit))
        console.log(JSON.stringify(letter));
      await stream.close();
    });
  dlq
    .command('replay')
    .description(
      'publish dead letters again to their transaction subject and remove them from the dead-letter stream; exit 2 for a --seq that is not a sequence number, 1 (replaying nothing) when one holds no dead letter',
    )
    .option('--seq <n...>', 'only these sequences, as `dlq list` prints them (default: all)')
    .option('--limit <n>', 'at most this many (without --seq)', positiveInt('--limit'), 10_000)
    .action(async (opts: { seq?: string[]; limit: number }) => {
      let wanted: number[] | undefined;
      if (opts.seq !== undefined) {
        const parsed = parseSequences(opts.seq);
        if ('bad' in parsed)
          fail(
            `--seq must be sequence numbers as \`dlq list\` prints them (1, 2, ...), got "${parsed.bad}"`,
            2,
          );
        wanted = parsed.seqs;
      }
      const config = configOrExit();
      const stream = await connectOrExit(config);
      let letters: StoredDeadLetter[];
      if (wanted === undefined) letters = await listDeadLetters(stream.jsm, config, opts.limit);
      else {
        const { found, missing } = await deadLettersAt(stream.jsm, config, wanted);
        if (missing.length > 0) {
          await stream.close();
          fail(
            `no dead letter at sequence ${missing.join(', ')} (already replayed, or never there; \`fraudwatch dlq list\` shows those there): nothing replayed`,
            1,
          );
        }
        letters = found;
      }
      const result = await replayDeadLetters(stream.js, stream.jsm, config, letters);
      for (const k of result.kept) console.error(`kept ${k.seq}: ${k.why}`);
      console.log(`replayed ${result.replayed}, kept ${result.kept.length}`);
      await stream.close();
    });
}
