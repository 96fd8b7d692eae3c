/**
 * The `fraudwatch` command: one sub-command per job, each a thin call into the layers below.
 * Each sub-command lives in its own file and registers itself here.
 */
import { Command } from 'commander';
import { registerRulesCommand } from './rules-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';
import { registerBenchCommand } from './bench-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerReplayCommand } from './replay-command.ts';
import { registerTrainCommand } from './train-command.ts';
import { registerKeysCommand } from './keys-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerRetentionCommand } from './retention-command.ts';
import { registerWorkerCommand } from './worker-command.ts';
import { registerDlqCommand } from './dlq-command.ts';
import { registerAuditCommand } from './audit-command.ts';
import { registerDriftCommand } from './drift-command.ts';
import { registerBackupCommands } from './backup-command.ts';
import { registerLabelsCommand } from './labels-command.ts';
import { registerModelsCommand } from './models-command.ts';
import { registerReportCommand } from './report-command.ts';
import { exitOnStartupFailure } from './startup-failure.ts';

const program = new Command();
program
  .name('fraudwatch')
  .description('Real-time fraud detection: exact per-account features, live rules, explained decisions.')
  .version('0.1.0');

registerDemoCommand(program);
registerSimulateCommand(program);
registerRulesCommand(program);
registerReplayCommand(program);
registerTrainCommand(program);
registerKeysCommand(program);
registerServeCommand(program);
registerMigrateCommand(program);
registerRetentionCommand(program);
registerBackupCommands(program);
registerWorkerCommand(program);
registerDlqCommand(program);
registerAuditCommand(program);
registerDriftCommand(program);
registerLabelsCommand(program);
registerModelsCommand(program);
registerReportCommand(program);
registerBenchCommand(program);

await program.parseAsync(process.argv).catch(exitOnStartupFailure);
