/**
 * Records notifications arriving on RabbitMQ queues with the same accounting as the HTTP receiver:
 * the message id is the notification id, the substream headers name the subscription and event
 * number, and the body is read as a FHIR payload when the headers say too little.
 */
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Arrival, ArrivalLog } from './arrival.js';
import { identifyArrival } from './identity.js';

export interface AmqpRecorderOptions {
  url: string;
  queues: string[];
  /**
   * Declare the queues (durable, as the AMQP sink declares them) and delete them on close, so a
   * run leaves nothing on the broker.
   */
  declare?: boolean;
  prefetch?: number;
  onArrival?: (arrival: Arrival) => void;
}

export interface AmqpRecorder extends ArrivalLog {
  unidentified(): number;
  /** Times the connection was opened again after the broker dropped it. */
  reconnects(): number;
  close(): Promise<void>;
}

function headerLookup(message: ConsumeMessage): (name: string) => string | undefined {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return (name) => {
    if (name === 'x-notification-id' && typeof message.properties.messageId === 'string') {
      return message.properties.messageId;
    }
    const value = headers[name];
    return value === undefined || value === null ? undefined : String(value);
  };
}

export async function startAmqpRecorder(options: AmqpRecorderOptions): Promise<AmqpRecorder> {
  const arrivals: Arrival[] = [];
  let unidentified = 0;
  let reconnects = 0;
  let closed = false;
  let current: { connection: ChannelModel; channel: Channel } | undefined;

  const open = async (): Promise<void> => {
    const connection: ChannelModel = await amqp.connect(options.url);
    // A lost connection (the broker stopped) is opened again until the recorder is closed; the
    // queues are durable, so what the sink published meanwhile waits there.
    connection.on('error', () => undefined);
    connection.once('close', () => {
      current = undefined;
      if (!closed) void reopen();
    });
    const channel: Channel = await connection.createChannel();
    await channel.prefetch(options.prefetch ?? 500);
    for (const queue of options.queues) {
      if (options.declare) await channel.assertQueue(queue, { durable: true });
      await channel.consume(queue, (message) => {
        if (message === null) return;
        const arrival = identifyArrival(
          headerLookup(message),
          message.content.toString('utf8'),
          Date.now(),
          'message',
        );
        if (arrival === undefined) unidentified++;
        else {
          arrivals.push(arrival);
          options.onArrival?.(arrival);
        }
        channel.ack(message);
      });
    }
    current = { connection, channel };
  };

  let reopening = false;
  const reopen = async (): Promise<void> => {
    if (reopening) return;
    reopening = true;
    while (!closed && current === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (closed) return;
      try {
        await open();
        reconnects++;
      } catch {
        // The broker is still down: try again in a second.
      }
    }
    reopening = false;
  };

  await open();
  let closing: Promise<void> | undefined;
  return {
    arrivals: () => arrivals,
    unidentified: () => unidentified,
    reconnects: () => reconnects,
    close() {
      closing ??= (async () => {
        closed = true;
        if (current === undefined) return;
        const { connection, channel } = current;
        if (options.declare) for (const queue of options.queues) await channel.deleteQueue(queue);
        await channel.close();
        await connection.close();
      })();
      return closing;
    },
  };
}
