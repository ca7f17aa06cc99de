/**
 * `tsx bench/load/delete-topics.ts <brokers> <prefix>`: deletes the topics a load run made (every
 * topic whose name starts with the run's prefix), so runs on a shared broker leave nothing behind.
 */
import { Kafka, logLevel } from 'kafkajs';

const [brokers = '127.0.0.1:9092', prefix] = process.argv.slice(2);
if (prefix === undefined || prefix.length < 4) throw new Error('usage: delete-topics <brokers> <prefix>');
const admin = new Kafka({
  clientId: 'substream-bench',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();
const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
if (topics.length > 0) await admin.deleteTopics({ topics });
await admin.deleteGroups([prefix]).catch(() => undefined);
// The per-hop probe's group (hop-probe.ts), when the run had one.
await admin.deleteGroups([`${prefix}-hop-probe`]).catch(() => undefined);
await admin.disconnect();
console.log(`deleted ${topics.length} topics starting with ${prefix}`);
