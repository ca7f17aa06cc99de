/**
 * A stand-in for the substream service, for dry runs of the load pipeline: it accepts
 * SubscriptionTopics and Subscriptions over the admin API, takes changes on POST /changes
 * (NDJSON), and for each change immediately delivers a classic R4 rest-hook notification to every
 * subscription the injected matcher says it matches, with substream's de-duplication headers and
 * per-subscription event numbers, in order.
 */
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';
import { readBody } from '../../bench/harness/index.js';
import type { ChangeEvent, FhirResource } from '../../processors/index.js';

export interface StandInOptions {
  /** Which stored subscriptions a change fires (the test injects the oracle). */
  matches(subscription: FhirResource, change: ChangeEvent): boolean;
  /** Deliver every n-th notification twice, to exercise duplicate accounting (0: never). */
  duplicateEvery?: number;
}

export interface StandInService {
  readonly url: string;
  readonly subscriptions: ReadonlyMap<string, FhirResource>;
  readonly topics: ReadonlyMap<string, FhirResource>;
  /** Notifications sent, and failures to send (counted, with the first message). */
  stats(): { sent: number; failed: number; firstError?: string };
  close(): Promise<void>;
}

function endpointOf(subscription: FhirResource): string {
  const channel = subscription.channel as { endpoint?: string } | undefined;
  return String(channel?.endpoint ?? subscription.endpoint ?? '');
}

export async function startStandInService(options: StandInOptions): Promise<StandInService> {
  const subscriptions = new Map<string, FhirResource>();
  const topics = new Map<string, FhirResource>();
  const eventNumbers = new Map<string, number>();
  const lanes = new Map<string, Promise<void>>();
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const stats: { sent: number; failed: number; firstError?: string } = { sent: 0, failed: 0 };

  const deliver = async (
    subscription: FhirResource,
    change: ChangeEvent,
    eventNumber: number,
  ): Promise<void> => {
    const id = String(subscription.id);
    const url = new URL(`${change.resourceType}/${change.id}`, endpointOf(subscription));
    const send = async (): Promise<void> => {
      const response = await request(url, {
        method: 'PUT',
        dispatcher,
        headers: {
          'content-type': 'application/fhir+json',
          'x-substream-notification-id': `${id}:${eventNumber}`,
          'x-substream-subscription-id': id,
          'x-substream-event-number': String(eventNumber),
        },
        body: JSON.stringify(change.resource),
      });
      await response.body.text();
      if (response.statusCode >= 300) throw new Error(`receiver answered ${response.statusCode}`);
      stats.sent++;
    };
    await send();
    if (options.duplicateEvery && eventNumber % options.duplicateEvery === 0) await send();
  };

  const fire = (change: ChangeEvent): void => {
    for (const subscription of subscriptions.values()) {
      if (!options.matches(subscription, change)) continue;
      const id = String(subscription.id);
      const eventNumber = (eventNumbers.get(id) ?? 0) + 1;
      eventNumbers.set(id, eventNumber);
      // One lane per subscription keeps its notifications in event-number order.
      const lane = (lanes.get(id) ?? Promise.resolve()).then(() =>
        deliver(subscription, change, eventNumber).catch((error: unknown) => {
          stats.failed++;
          stats.firstError ??= error instanceof Error ? error.message : String(error);
        }),
      );
      lanes.set(id, lane);
    }
  };

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    readBody(req).then(
      (text) => {
        const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
        const admin = /^\/fhir\/(Subscription|SubscriptionTopic)\/([^/]+)$/.exec(path);
        if (admin && req.method === 'PUT') {
          const resource = JSON.parse(text) as FhirResource;
          (admin[1] === 'Subscription' ? subscriptions : topics).set(
            decodeURIComponent(admin[2] as string),
            resource,
          );
          res.writeHead(201, { 'content-type': 'application/fhir+json' }).end(text);
        } else if (admin && req.method === 'DELETE') {
          (admin[1] === 'Subscription' ? subscriptions : topics).delete(
            decodeURIComponent(admin[2] as string),
          );
          res.writeHead(204).end();
        } else if (path === '/readyz') {
          res.writeHead(200).end('ready');
        } else if (path === '/changes' && req.method === 'POST') {
          const changes = text
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as ChangeEvent);
          res
            .writeHead(202, { 'content-type': 'application/json' })
            .end(JSON.stringify({ accepted: changes.length }));
          for (const change of changes) fire(change);
        } else {
          res.writeHead(404).end();
        }
      },
      (error: unknown) => res.writeHead(400).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    subscriptions,
    topics,
    stats: () => ({ ...stats }),
    async close() {
      await Promise.all(lanes.values());
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await dispatcher.close();
    },
  };
}
