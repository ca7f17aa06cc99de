/**
 * Message-channel endpoints: `amqp://host[:port]/vhost?exchange=X&routingKey=Y` (also `amqps://`,
 * and `queue=Q` for a queue on the default exchange), or `channel:queue-name` on the configured broker.
 */
import { SubstreamError } from '../../state/index.js';

export interface AmqpTarget {
  /** The broker connection URL, without the target's query. */
  connectionUrl: string;
  exchange: string;
  routingKey: string;
  /** Set when the target is a queue reached through the default exchange. */
  queue?: string;
}

export class InvalidAmqpEndpointError extends SubstreamError {}

export function parseAmqpEndpoint(endpoint: string | undefined, brokerUrl: string): AmqpTarget {
  if (endpoint === undefined || endpoint.trim() === '')
    throw new InvalidAmqpEndpointError('message subscription has no endpoint');
  if (endpoint.startsWith('channel:')) {
    const queue = endpoint.slice('channel:'.length).trim();
    if (queue === '') throw new InvalidAmqpEndpointError('channel: endpoint names no queue');
    return { connectionUrl: brokerUrl, exchange: '', routingKey: queue, queue };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new InvalidAmqpEndpointError('message endpoint is not a URL', { cause });
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new InvalidAmqpEndpointError(`message endpoint scheme ${url.protocol} is not amqp or amqps`);
  }
  const exchange = url.searchParams.get('exchange') ?? '';
  const queue = url.searchParams.get('queue') ?? undefined;
  const routingKey = url.searchParams.get('routingKey') ?? queue ?? '';
  if (exchange === '' && routingKey === '') {
    throw new InvalidAmqpEndpointError(
      'message endpoint names neither an exchange nor a routing key or queue',
    );
  }
  url.search = '';
  url.hash = '';
  const target: AmqpTarget = { connectionUrl: url.href, exchange, routingKey };
  if (exchange === '') target.queue = queue ?? routingKey;
  return target;
}
