/** `fraudwatch dlq list|replay`: read the dead-letter stream, and re-drive its messages once the cause is fixed. */
import type { Command } from 'commander';
import { listDeadLetters, replayDeadLetters } from '../stream/dead-letters.ts';
import { connectStream } from '../stream/nats-connection.ts';
import { configOrExit, positiveInt } from './options.ts';

export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('the dead-letter stream (env NATS_URL, FRAUDWATCH_STREAM_PREFIX)');
  dlq
    .command('list')
    .description('print dead letters, oldest first: one JSON line each (seq, error, attempts, payload, ...)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 100)
    .action(async (opts: { limit: number }) => {
      const config = configOrExit(program);
      const stream = await connectStream(config).catch((e: Error) => program.error(e.message));
      for (const letter of await listDeadLetters(stream.jsm, config, opts.limit))
        console.log(JSON.stringify(letter));
      await stream.close();
    });
  dlq
    .command('replay')
    .description(
      'publish dead letters again to their transaction subject and remove them from the dead-letter stream',
    )
    .option('--seq <n...>', 'only these sequences (default: all)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 10_000)
    .action(async (opts: { seq?: string[]; limit: number }) => {
      const config = configOrExit(program);
      const stream = await connectStream(config).catch((e: Error) => program.error(e.message));
      const wanted = opts.seq?.map(Number);
      const letters = (await listDeadLetters(stream.jsm, config, opts.limit)).filter(
        (l) => wanted === undefined || wanted.includes(l.seq),
      );
      const result = await replayDeadLetters(stream.js, stream.jsm, config, letters);
      for (const k of result.kept) console.error(`kept ${k.seq}: ${k.why}`);
      console.log(`replayed ${result.replayed}, kept ${result.kept.length}`);
      await stream.close();
    });
}
