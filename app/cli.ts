/**
 * The `substream` command line. Each command lives in app/commands/ and registers itself here.
 */
import { Command } from 'commander';
import { ConfigError, SubstreamError } from '../state/index.js';
import { registerDlq } from './commands/dlq.js';
import { registerMatch } from './commands/match.js';
import { registerRun } from './commands/run.js';
import { registerSubscriptions } from './commands/subscriptions.js';
import { registerTopics } from './commands/topics.js';

export function buildCli(): Command {
  const program = new Command('substream')
    .description('FHIR Subscriptions engine: match resource changes, deliver notifications')
    .showHelpAfterError();
  registerRun(program);
  registerTopics(program);
  registerSubscriptions(program);
  registerMatch(program);
  registerDlq(program);
  return program;
}

try {
  await buildCli().parseAsync(process.argv);
} catch (err) {
  // Known failures print their message (which names the setting or element); anything else its stack.
  process.stderr.write(
    `${err instanceof SubstreamError ? err.message : ((err as Error).stack ?? String(err))}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
}
