import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startAmqpRecorder } from '../../bench/harness/index.js';
import { RABBITMQ_URL, uniqueName, waitFor } from '../support/infra.js';

describe('the AMQP recorder', () => {
  it('records notifications from a queue with the same identity as the HTTP receiver', async () => {
    const queue = uniqueName('harness-recorder');
    const recorder = await startAmqpRecorder({ url: RABBITMQ_URL, queues: [queue], declare: true });
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const body = {
        resourceType: 'Encounter',
        id: 'enc-2',
        meta: { versionId: '4', lastUpdated: new Date().toISOString() },
      };
      for (const eventNumber of [1, 2, 2]) {
        channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
          messageId: `sub-a:${eventNumber}`,
          contentType: 'application/fhir+json',
          headers: { 'x-substream-subscription-id': 'sub-a', 'x-substream-event-number': eventNumber },
        });
      }
      await channel.waitForConfirms();
      await channel.close();
      await waitFor(() => (recorder.arrivals().length === 3 ? true : undefined), { what: 'three arrivals' });
      expect(
        recorder.arrivals().map((a) => [a.subscriptionId, a.eventNumber, a.notificationId, a.channel]),
      ).toEqual([
        ['sub-a', 1, 'sub-a:1', 'message'],
        ['sub-a', 2, 'sub-a:2', 'message'],
        ['sub-a', 2, 'sub-a:2', 'message'],
      ]);
      expect(recorder.arrivals()[0]).toMatchObject({ focus: 'Encounter/enc-2/_history/4' });
      expect(recorder.arrivals()[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await connection.close();
      await recorder.close();
    }
  });
});
