import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { onBeforeRejoin } from '../../../connectors/kafka/rejoin-hook.js';

// The hook wraps a kafkajs internal: this checks it against the kafkajs that is installed.
const require = createRequire(import.meta.url);
const ConsumerGroup = require(
  join(dirname(require.resolve('kafkajs/package.json')), 'src/consumer/consumerGroup.js'),
) as { prototype: { joinAndSync(this: unknown): Promise<void> } };

it('runs the member’s hook before kafkajs rejoins, and only for that member', async () => {
  const calls: string[] = [];
  const remove = onBeforeRejoin('member-1', async () => {
    calls.push('hook');
  });
  // A stand-in consumer group: kafkajs's own joinAndSync fails on it at once (no retrier), which
  // shows it ran after the hook.
  const joinAs = (memberId: string | null) =>
    ConsumerGroup.prototype.joinAndSync.call({ memberId }).catch((error: unknown) => {
      calls.push(`kafkajs ${error instanceof TypeError ? 'ran' : String(error)}`);
    });

  await joinAs('member-1');
  await joinAs('member-2');
  await joinAs(null);
  remove();
  await joinAs('member-1');

  expect(calls).toEqual(['hook', 'kafkajs ran', 'kafkajs ran', 'kafkajs ran', 'kafkajs ran']);
});

it('lets a hook’s failure fail the rejoin (hooks report their own failures)', async () => {
  const remove = onBeforeRejoin('member-3', () => Promise.reject(new Error('commit refused')));
  await expect(ConsumerGroup.prototype.joinAndSync.call({ memberId: 'member-3' })).rejects.toThrow(
    'commit refused',
  );
  remove();
});
