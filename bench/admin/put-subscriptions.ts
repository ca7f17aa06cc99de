/**
 * Admin API write throughput: PUT /fhir/Subscription/{id} with a fixed number of requests in
 * flight against a processor started in this process (Kafka on KAFKA_BROKERS, or the embedded log
 * with BENCH_MODE=embedded). Every PUT is followed by nothing else; after the run, a sample of
 * GETs checks read-your-writes. Appends a row to bench/results/admin.md.
 *
 *   npx tsx bench/admin/put-subscriptions.ts [requests=3000] [inFlight=32]
 */
import { appendFile } from 'node:fs/promises';
import { request } from 'undici';
import { percentileOfSorted } from '../harness/measure/percentiles.js';
import { ServiceFixture } from '../../test/support/service.js';

const total = Number(process.argv[2] ?? 3000);
const inFlight = Number(process.argv[3] ?? 32);
const kafka = process.env.BENCH_MODE !== 'embedded';
const label = process.env.BENCH_LABEL ?? 'run';

function subscription(i: number): unknown {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: `bench ${i}`,
    criteria: `Observation?code=http://loinc.org|${1000 + (i % 500)}-0&subject=Patient/p${i}`,
    channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/hook', payload: 'application/fhir+json' },
  };
}

async function put(base: string, i: number): Promise<number> {
  const started = performance.now();
  const res = await request(`${base}/fhir/Subscription/bench-${i}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(subscription(i)),
  });
  await res.body.text();
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`PUT ${i}: ${res.statusCode}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const fixture = new ServiceFixture({ kafka });
  const config = await fixture.config({ PARTITIONS: 6 });
  const service = await fixture.start('processor', config);
  try {
    for (let i = 0; i < 50; i++) await put(service.url, -1 - i); // warm-up
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) latencies.push(await put(service.url, next++));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // Read-your-writes: what was just written is what a GET returns.
    for (const i of [0, Math.floor(total / 2), total - 1]) {
      const res = await request(`${service.url}/fhir/Subscription/bench-${i}`);
      const body = (await res.body.json()) as { reason?: string };
      if (body.reason !== `bench ${i}`) throw new Error(`GET after PUT ${i}: ${JSON.stringify(body)}`);
    }
    latencies.sort((a, b) => a - b);
    const row = {
      label,
      mode: kafka ? 'kafka' : 'embedded',
      requests: total,
      inFlight,
      perSecond: Math.round(total / seconds),
      p50: percentileOfSorted(latencies, 50).toFixed(1),
      p99: percentileOfSorted(latencies, 99).toFixed(1),
    };
    console.log(JSON.stringify(row));
    await appendFile(
      'bench/results/admin.md',
      `| ${new Date().toISOString().slice(0, 16)} | ${row.label} | ${row.mode} | ${row.requests} | ${row.inFlight} | ${row.perSecond} | ${row.p50} | ${row.p99} |\n`,
    );
  } finally {
    await fixture.cleanup();
  }
}

await main();
