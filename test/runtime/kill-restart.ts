import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, startCountApp } from './child-app.js';
import type { ReadRecord } from './kafka-helpers.js';
import { createTopics, deleteTopics, produce, readTopic, unique } from './kafka-helpers.js';

export const KEYS = 20;
export const PER_KEY = 100;

/**
 * Feeds KEYS × PER_KEY records to a count app in a child process, SIGKILLs it mid-stream, starts
 * it again and returns everything it wrote (read committed under exactly-once).
 */
export async function killMidStreamAndRestart(
  guarantee: 'at_least_once' | 'exactly_once',
): Promise<ReadRecord[]> {
  const app = unique(`kill-${guarantee === 'exactly_once' ? 'eos' : 'alos'}`);
  const input = `${app}-in`;
  const output = `${app}-out`;
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-`));
  const args = [app, input, output, guarantee, stateDir, '3'];
  try {
    await createTopics([
      { topic: input, partitions: 3 },
      { topic: output, partitions: 3 },
    ]);
    await produce(
      input,
      Array.from({ length: KEYS * PER_KEY }, (_, i) => ({ key: `k${i % KEYS}`, value: `v${i}` })),
    );
    const first = await startCountApp(args);
    await readTopic(output, KEYS * PER_KEY * 0.3);
    await kill(first, 'SIGKILL');
    const second = await startCountApp(args);
    const readCommitted = guarantee === 'exactly_once';
    const records = await readTopic(output, KEYS * PER_KEY, {
      readCommitted,
      settleMs: 2000,
      timeoutMs: 90_000,
    });
    await kill(second, 'SIGTERM');
    return records;
  } finally {
    await deleteTopics([app]);
    await rm(stateDir, { recursive: true, force: true });
  }
}
