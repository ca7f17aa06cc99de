/**
 * Stops and starts the RabbitMQ application (the Erlang node stays up) with rabbitmqctl, for the
 * "RabbitMQ stopped and restarted under load" fault. It stops the machine's shared RabbitMQ: run it
 * only where nothing else uses that server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RabbitControl {
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  /** stop_app, wait `downMs`, start_app. */
  bounce(downMs: number): Promise<void>;
}

export function rabbitControl(options: { rabbitmqctl?: string; node?: string } = {}): RabbitControl {
  const ctl = options.rabbitmqctl ?? 'rabbitmqctl';
  const nodeArgs = options.node !== undefined ? ['-n', options.node] : [];
  const call = async (command: string): Promise<void> => {
    await run(ctl, [...nodeArgs, command], { timeout: 120_000 });
  };
  return {
    stopApp: () => call('stop_app'),
    startApp: () => call('start_app'),
    async bounce(downMs) {
      await call('stop_app');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await call('start_app');
    },
  };
}
