import { describe, expect, it } from 'vitest';
import type { AppendResult, LogProducer, OutgoingRecord } from '../../state/index.js';
import { TransportError } from '../../state/index.js';
import { RecordCollector } from '../../topology/runtime/record-collector.js';

/** A producer whose sends are acknowledged (or refused) when the test says so. */
function manualProducer() {
  const sends: { records: readonly OutgoingRecord[]; ack: () => void; fail: (e: Error) => void }[] = [];
  const producer: LogProducer = {
    send: (records) =>
      new Promise<AppendResult>((resolve, reject) => {
        sends.push({
          records,
          ack: () => resolve([{ topic: 'out', partition: 0, offset: String(records.length - 1) }]),
          fail: reject,
        });
      }),
    transaction: () => Promise.reject(new Error('not transactional')),
    close: async () => undefined,
  };
  return { producer, sends };
}

const record = (n: number): OutgoingRecord => ({
  topic: 'out',
  partition: 0,
  key: null,
  value: Buffer.from(String(n)),
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('record collector under at-least-once', () => {
  it('dispatches without waiting, one send after the other, and acknowledges in order', async () => {
    const { producer, sends } = manualProducer();
    const collector = new RecordCollector(producer, false, () => undefined, 2);
    collector.add(record(1));
    await collector.dispatch();
    const first = collector.acknowledgement();
    collector.add(record(2));
    await collector.dispatch();
    await tick();
    // The second send starts only once the first is acknowledged: a partition keeps its order.
    expect(sends).toHaveLength(1);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    sends[0]!.ack();
    await tick();
    expect(firstDone).toBe(true);
    expect(sends).toHaveLength(2);
    sends[1]!.ack();
    await collector.acknowledgement();
    expect(collector.acknowledged.get('out:0')).toBe('1');
  });

  it('reports a failed send to later calls and sends nothing after it', async () => {
    const { producer, sends } = manualProducer();
    const collector = new RecordCollector(producer, false, () => undefined, 2);
    collector.add(record(1));
    await collector.dispatch();
    collector.add(record(2));
    await collector.dispatch();
    const acknowledged = collector.acknowledgement();
    await tick();
    sends[0]!.fail(new TransportError('broker gone'));
    await expect(acknowledged).rejects.toThrow('broker gone');
    expect(sends).toHaveLength(1);
    collector.add(record(3));
    await expect(collector.dispatch()).rejects.toThrow('broker gone');
  });

  it('waits while more sends than allowed are pending', async () => {
    const { producer, sends } = manualProducer();
    const collector = new RecordCollector(producer, false, () => undefined, 1);
    collector.add(record(1));
    await collector.dispatch();
    collector.add(record(2));
    let returned = false;
    const second = collector.dispatch().then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    sends[0]!.ack();
    await second;
    expect(returned).toBe(true);
  });
});
