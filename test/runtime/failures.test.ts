import { expect, it } from 'vitest';
import { ConfigError, ProcessingError, TransportError } from '../../state/index.js';
import { isRecoverable } from '../../topology/runtime/failures.js';

const kafkajs = (name: string, fields: Record<string, unknown> = {}, cause?: unknown): Error =>
  Object.assign(new Error(name, cause === undefined ? undefined : { cause }), { name, ...fields });

it('tells failures that pass by waiting from those that do not', () => {
  const refused = kafkajs('KafkaJSConnectionError', { retriable: true, code: 'ECONNREFUSED' });
  const notLeader = kafkajs('KafkaJSProtocolError', { retriable: true, type: 'NOT_LEADER_OR_FOLLOWER' });
  const cases: [unknown, boolean][] = [
    [refused, true],
    [notLeader, true],
    // kafkajs marks its give-up error non-retriable; the cause decides.
    [kafkajs('KafkaJSNumberOfRetriesExceeded', { retriable: false }, refused), true],
    [
      kafkajs(
        'KafkaJSNonRetriableError',
        { retriable: false },
        kafkajs('KafkaJSNumberOfRetriesExceeded', { retriable: false }, refused),
      ),
      true,
    ],
    [kafkajs('KafkaJSProtocolError', { retriable: false, type: 'PRODUCER_FENCED' }), true],
    [
      new TransportError('Cannot read end offsets', { retriable: true, cause: new TypeError('low.pop') }),
      true,
    ],
    [
      new TransportError('Consumer stopped', {
        cause: kafkajs('KafkaJSRequestTimeoutError', { retriable: true }),
      }),
      true,
    ],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    // No coordinator while its broker restarts: kafkajs calls it non-retriable, it passes.
    [kafkajs('KafkaJSGroupCoordinatorNotFound', { retriable: false }), true],
    // Not by waiting:
    [new ConfigError([{ setting: 'x', message: 'bad' }]), false],
    [kafkajs('KafkaJSSASLAuthenticationError', { retriable: true }), false],
    [kafkajs('KafkaJSProtocolError', { retriable: false, type: 'TOPIC_AUTHORIZATION_FAILED' }), false],
    [kafkajs('KafkaJSConnectionError', { retriable: true, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), false],
    [kafkajs('KafkaJSNumberOfRetriesExceeded', { retriable: false }, new TypeError('a bug')), false],
    [new ProcessingError('processor failed by policy'), false],
    [new TypeError('undefined is not a function'), false],
    ['a string', false],
  ];
  for (const [error, recoverable] of cases)
    expect([error, isRecoverable(error)]).toEqual([error, recoverable]);
});
