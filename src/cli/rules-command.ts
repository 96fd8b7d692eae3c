/** `fraudwatch rules validate FILE` and `fraudwatch rules show-default`. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_RULES_PATH } from '../engine/rules/index.ts';
import { readRulesFile } from './rules-file.ts';

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('check and show rule documents');

  rules
    .command('validate')
    .description(
      'check a rules document: exit 0 if valid; 1 with one `path: message` line per problem; 2 if unreadable or not JSON',
    )
    .argument('<file>', 'the rules document (JSON)')
    .action((file: string) => {
      const result = readRulesFile(file);
      if (!result.ok && 'unreadable' in result) {
        console.error(result.unreadable);
        process.exit(2);
      }
      if (!result.ok) {
        for (const line of result.problems) console.error(line);
        console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
        process.exit(1);
      }
      const total = result.value.document.rules.length;
      const enabled = result.value.rules.length;
      console.log(`${file}: ok (${total} rules, ${enabled} enabled, version ${result.value.version})`);
    });

  rules
    .command('show-default')
    .description('print the shipped default rules document (a starting point to copy and edit)')
    .action(() => {
      process.stdout.write(readFileSync(DEFAULT_RULES_PATH, 'utf8'));
    });
}
