// A count topology in its own process, so tests can kill it with SIGKILL.
// Usage: count-app.ts <application id> <input> <output> <guarantee> <state dir> [delay ms]
import { KafkaTransport } from '../../connectors/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from './count-topology.js';

const [applicationId, input, output, guarantee, stateDir, delay] = process.argv.slice(2);
// A short session lets the restarted instance take over a killed one's partitions quickly.
const transport = new KafkaTransport({
  brokers: [process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'],
  clientId: applicationId!,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
});
const streams = new KafkaStreams({
  topology: countTopology({ input: input!, output: output!, delayMs: Number(delay ?? 0) }),
  transport,
  config: {
    applicationId: applicationId!,
    stateDir: stateDir!,
    processingGuarantee: guarantee as 'at_least_once' | 'exactly_once',
  },
});
streams.onStateChange((state) => {
  process.stdout.write(`state ${state}\n`);
  if (state === 'failed') process.stderr.write(`${streams.error?.stack}\n`);
});
process.on('SIGTERM', () => {
  void streams
    .stop()
    .then(() => transport.close())
    .then(() => process.exit(0));
});
await streams.start();
