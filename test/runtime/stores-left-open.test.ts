/**
 * At least once, a task's stores left open by a process that died (no clean close) may hold
 * LevelDB writes whose changelog records were never sent: the next owner starts them over from
 * the changelog, so a step that drops what it has seen cannot drop records read again. Stores
 * closed cleanly are kept. The embedded log stands in for the broker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codecs, noMetrics } from '../../state/index.js';
import { EmbeddedTransport, TopologyBuilder } from '../../topology/index.js';
import { RecordCollector } from '../../topology/runtime/record-collector.js';
import { TaskStores } from '../../topology/runtime/task-stores.js';

const APP = 'left-open';
const topology = new TopologyBuilder()
  .source('input', { topic: 'in', value: codecs.string })
  .store('seen', { value: codecs.json<string>() })
  .processor('see', { parents: ['input'], stores: ['seen'], processor: () => ({ process: async () => {} }) })
  .build();

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'substream-left-open-'));
  dirs.push(dir);
  const transport = await EmbeddedTransport.open(join(dir, 'log'));
  const changelog = topology.changelogTopic(APP, 'seen');
  await transport.admin.ensureTopics([{ topic: changelog, partitions: 1, compacted: true }]);
  const producer = await transport.producer();
  const open = (collector = new RecordCollector(producer, false, () => undefined)) =>
    TaskStores.open({
      taskId: '0_0',
      partition: 0,
      storeNames: ['seen'],
      topology,
      applicationId: APP,
      stateDir: join(dir, 'state'),
      transport,
      exactlyOnce: false,
      cacheMaxEntries: 100,
      collector,
      metrics: noMetrics,
    }).then((stores) => ({ stores, collector }));
  return { transport, open };
}

type Opened = Awaited<ReturnType<Awaited<ReturnType<typeof setUp>>['open']>>;

/** A write whose changelog record was sent and acknowledged, and checkpointed, as a commit does. */
async function writeAcknowledged({ stores, collector }: Opened, key: string): Promise<void> {
  await stores.get<string>('seen')!.put(key, 'v1');
  await stores.flush();
  await collector.send();
  await stores.checkpoint();
}

describe('stores of a task at least once', () => {
  it('start over from the changelog when their last owner never closed them', async () => {
    const { transport, open } = await setUp();
    const first = await open();
    await writeAcknowledged(first, 'Patient/1');
    // In LevelDB only: the process dies before the changelog record (and the outputs) leave.
    await first.stores.get<string>('seen')!.put('Patient/2', 'v1');
    await first.stores.flush();
    await first.stores.close(false);

    const next = await open();
    const seen = next.stores.get<string>('seen')!;
    expect(await seen.get('Patient/1')).toBe('v1');
    expect(await seen.get('Patient/2')).toBeUndefined();
    await next.stores.close(true);
    await transport.close();
  });

  it('are kept as they are after a clean close', async () => {
    const { transport, open } = await setUp();
    const first = await open();
    await writeAcknowledged(first, 'Patient/1');
    await first.stores.close(true);

    const next = await open();
    expect(await next.stores.get<string>('seen')!.get('Patient/1')).toBe('v1');
    await next.stores.close(true);
    await transport.close();
  });
});
