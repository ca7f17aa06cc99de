/**
 * Thread 0 under replace-thread on the real broker: a record the notify stage cannot decode, put
 * straight on the matches repartition topic, fails the processor's streams (a non-retriable error).
 * A new processor core takes their place after the back-off, and again after each time the record
 * fails it; meanwhile `/readyz` says why and the admin API answers from the last tables. Once the
 * record is deleted (as an operator would), the replacement runs and the HTTP API follows it:
 * later changes are notified and their `$events` answered.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { KAFKA_BROKERS, waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { encounter, notifiedEncounters, putEncounterSubscriptions } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
const receiver = new HttpReceiver();
const kafka = new Kafka({
  clientId: 'substream-test-own-thread',
  brokers: KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer();
const admin = kafka.admin();

afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await fixture.cleanup();
  await receiver.stop();
});

const notified = (id: string): string[] => notifiedEncounters(receiver.accepted, id);

async function replacementsOfThread0(url: string): Promise<number> {
  const text = (await call(url, 'GET', '/metrics')).body as string;
  return Number(/^substream_stream_thread_replacements_total\{thread="0"\} (\d+)$/m.exec(text)?.[1]);
}

/** Whether the group has committed partition 0 of `topic` up to its end. */
async function committedToEnd(groupId: string, topic: string): Promise<boolean> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const end = ends.find((p) => p.partition === 0)?.offset;
  const at = committed?.partitions.find((p) => p.partition === 0)?.offset;
  return end !== undefined && at === end;
}

async function readiness(url: string): Promise<{ status: number; text: string }> {
  const answer = await call(url, 'GET', '/readyz');
  return { status: answer.status, text: JSON.stringify(answer.body) };
}

describe('thread 0 whose streams fail, under replace-thread', () => {
  it('is replaced by a new processor core that the HTTP API follows', { timeout: 180_000 }, async () => {
    const hook = await receiver.start();
    const config = await fixture.config();
    const processor = await fixture.start('processor', config);
    await fixture.start('http-sink', await fixture.config());
    await putEncounterSubscriptions(processor.url, hook, ['s1']);
    expect((await call(processor.url, 'POST', '/changes', [encounter('before')])).status).toBe(202);
    await waitFor(() => (notified('s1').includes('before') ? true : undefined), { what: 'the first change' });
    const first = processor.streams[0]!;

    await Promise.all([producer.connect(), admin.connect()]);
    const topic = `${config.APPLICATION_ID}-matches-repartition`;
    // Deleting records removes everything before the given offset: the match of 'before' must be
    // committed first, or the deletion below would take it along with the bad record.
    await waitFor(async () => ((await committedToEnd(config.APPLICATION_ID, topic)) ? true : undefined), {
      what: 'the match of the first change committed',
    });
    const [sent] = await producer.send({
      topic,
      messages: [{ partition: 0, key: 'Subscription/s1', value: 'not a match' }],
    });
    await waitFor(
      async () =>
        (await readiness(processor.url)).text.includes('stream thread 0 is replacing') ? true : undefined,
      {
        timeoutMs: 30_000,
        what: 'thread 0 replacing',
      },
    );
    expect(first.state).toBe('failed');
    // The admin API reads the failed core's tables meanwhile.
    expect((await call(processor.url, 'GET', '/fhir/Subscription/s1')).status).toBe(200);

    // Each replacement reads the record again and fails; deleted, the next one runs.
    await waitFor(async () => ((await replacementsOfThread0(processor.url)) >= 2 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'a second replacement',
    });
    await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords needs the topic's leaders
    await admin.deleteTopicRecords({
      topic,
      partitions: [{ partition: 0, offset: String(Number(sent!.baseOffset) + 1) }],
    });
    await waitFor(async () => ((await readiness(processor.url)).status === 200 ? true : undefined), {
      timeoutMs: 90_000,
      what: 'ready again',
    });
    expect(processor.streams[0]).not.toBe(first);
    expect(processor.streams[0]!.state).toBe('running');

    expect((await call(processor.url, 'POST', '/changes', [encounter('after')])).status).toBe(202);
    await waitFor(() => (notified('s1').includes('after') ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the change after the replacement',
    });
    const events = await call(processor.url, 'GET', '/fhir/Subscription/s1/$events?eventsSinceNumber=2');
    expect(events.status).toBe(200);
    expect(events.body.entry[1].resource).toMatchObject({ resourceType: 'Encounter', id: 'after' });
  });
});
