import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import { startService } from '../service/index.js';

export const RUN_MODES = ['processor', 'http-sink', 'amqp-sink', 'kafka-sink', 'all'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** How long a graceful stop may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 30_000;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the engine: embedded mode without KAFKA_BROKERS, Kafka mode with it')
    .argument('[mode]', `what to run: ${RUN_MODES.join(' | ')}`, 'all')
    .action(async (mode: string) => {
      if (!(RUN_MODES as readonly string[]).includes(mode)) {
        process.stderr.write(`unknown run mode '${mode}': expected one of ${RUN_MODES.join(', ')}\n`);
        process.exitCode = 2;
        return;
      }
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL);
      logger.info(
        {
          mode,
          kafka: config.KAFKA_BROKERS ?? 'embedded',
          dataDir: config.DATA_DIR,
          guarantee: config.PROCESSING_GUARANTEE,
        },
        'starting substream',
      );
      const service = await startService({ config, mode: mode as RunMode, logger });
      logger.info({ url: service.url }, 'substream is running');
      let stopping = false;
      /** The graceful stop of SIGTERM; the process exits with `exitCode` once it is done. */
      const shutdown = (reason: object, exitCode: number) => {
        if (stopping) return;
        stopping = true;
        logger.info(reason, 'stopping: finishing in-flight work, committing, closing stores');
        const timer = setTimeout(() => {
          logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'graceful stop took too long; exiting');
          process.exit(1);
        }, STOP_TIMEOUT_MS);
        timer.unref();
        service.stop().then(
          () => {
            logger.info('stopped');
            process.exit(exitCode);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown({ signal: 'SIGTERM' }, 0));
      process.once('SIGINT', () => shutdown({ signal: 'SIGINT' }, 0));
      // STREAM_FAILURE_POLICY=shutdown-client: exit non-zero, for an orchestrator to start it again.
      void service.failed.then((failure) => {
        logger.fatal({ thread: failure.thread, err: failure.error }, 'stream thread failed; exiting');
        shutdown({ thread: failure.thread }, 1);
      });
    });
}
