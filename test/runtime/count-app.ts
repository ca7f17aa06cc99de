import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaTransport, type KafkaTransportConfigInput } from '../../connectors/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import { brokers, createTopics, deleteTopics, kafka, unique } from './kafka-helpers.js';

const apps: string[] = [];
const directories: string[] = [];

/** A counting app on the broker, not started yet, and a reader of its output already in its group. */
export interface CountApp {
  input: string;
  /** When each output record reached the reader (ms since the epoch), in order. */
  arrivals: number[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Creates the app's topics (`inputPartitions` in, 2 out), its state directory and transport with
 * `transport`'s fetch settings, and joins the output's reader first, so that its own start is not
 * counted in the arrivals. `removeCountApps` deletes what every app made.
 */
export async function openCountApp(
  prefix: string,
  inputPartitions: number,
  transport: Omit<KafkaTransportConfigInput, 'brokers' | 'clientId'>,
): Promise<CountApp> {
  const app = unique(prefix);
  apps.push(app);
  const input = `${app}-in`;
  const output = `${app}-out`;
  await createTopics([
    { topic: input, partitions: inputPartitions },
    { topic: output, partitions: 2 },
  ]);
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-`));
  directories.push(stateDir);
  const kafkaTransport = new KafkaTransport({ brokers, clientId: app, ...transport });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output }),
    transport: kafkaTransport,
    config: { applicationId: app, stateDir, endpoint: 'a:8080' },
  });
  const reader = kafka.consumer({ groupId: unique('reader') });
  const arrivals: number[] = [];
  const joined = new Promise((resolve) => reader.on(reader.events.GROUP_JOIN, resolve));
  await reader.connect();
  await reader.subscribe({ topics: [output], fromBeginning: true });
  await reader.run({
    eachMessage: async () => {
      arrivals.push(Date.now());
    },
  });
  await joined;
  return {
    input,
    arrivals,
    start: () => streams.start(),
    stop: async () => {
      await Promise.all([reader.disconnect(), streams.stop().then(() => kafkaTransport.close())]);
    },
  };
}

export async function removeCountApps(): Promise<void> {
  await deleteTopics(apps);
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
}
