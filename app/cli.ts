/**
 * The `substream` command line. Each command lives in app/commands/ and registers itself here.
 */
import { Command } from 'commander';
import { registerMatch } from './commands/match.js';
import { registerRun } from './commands/run.js';

export function buildCli(): Command {
  const program = new Command('substream')
    .description('FHIR Subscriptions engine: match resource changes, deliver notifications')
    .showHelpAfterError();
  registerRun(program);
  registerMatch(program);
  return program;
}

await buildCli().parseAsync(process.argv);
