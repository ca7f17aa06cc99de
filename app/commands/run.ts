import type { Command } from 'commander';

export const RUN_MODES = ['processor', 'http-sink', 'amqp-sink', 'kafka-sink', 'all'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the engine: embedded mode without KAFKA_BROKERS, Kafka mode with it')
    .argument('[mode]', `what to run: ${RUN_MODES.join(' | ')}`, 'all')
    .action((mode: string) => {
      if (!(RUN_MODES as readonly string[]).includes(mode)) {
        process.stderr.write(`unknown run mode '${mode}': expected one of ${RUN_MODES.join(', ')}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write('the service is not wired yet; see `substream --help`\n');
    });
}
