import type { AppendResult, LogProducer, OutgoingRecord } from '../../state/index.js';

interface Waiting {
  records: readonly OutgoingRecord[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The at-least-once producer an instance's tasks share, joining their sends into fewer produce
 * requests. Every task sends at the end of each of its batches, so an instance with a dozen tasks
 * made a dozen small requests per fetch round, each costing the client, the broker and the
 * syscalls more than the records in it. Here at most `inFlight` joined sends are in flight at a
 * time; the sends that arrive meanwhile wait and leave together once one is acknowledged, as a
 * Kafka producer's batches do. Sends leave in the order they came, and a task's records keep
 * their order whatever `inFlight` is: a task starts its next send only after its previous one was
 * acknowledged (record-collector.ts), so two joined sends in flight never hold records of the same
 * task. Records of different tasks for one output partition had no order between them anyway.
 *
 * Why more than one: a store flush at commit sends a task's changelog writes in one go, up to
 * megabytes. With a single joined send in flight, every other task's outputs waited behind its
 * acknowledgement; with two, they leave beside it.
 *
 * A joined send that fails fails every send in it. Each send is answered with the offsets of its
 * own partitions only.
 */
export function coalescingProducer(producer: LogProducer, inFlight = 1): LogProducer {
  if (!Number.isInteger(inFlight) || inFlight < 1)
    throw new RangeError(`joined sends in flight must be a positive integer, got ${inFlight}`);
  let waiting: Waiting[] = [];
  let running = 0;

  const run = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      const records = group.length === 1 ? group[0]!.records : group.flatMap((w) => w.records);
      let result: AppendResult;
      try {
        result = await producer.send(records);
      } catch (error) {
        for (const w of group) w.reject(error);
        continue;
      }
      if (group.length === 1) group[0]!.resolve(result);
      else for (const w of group) w.resolve(ownOffsets(result, w.records));
    }
    running -= 1;
  };

  return {
    send: (records) =>
      new Promise<AppendResult>((resolve, reject) => {
        waiting.push({ records, resolve, reject });
        if (running >= inFlight) return;
        running += 1;
        // The tasks of a fetch round end their batches within the same turn of the event loop:
        // wait for its end, so that the first send of a round leaves with the others.
        setImmediate(() => void run());
      }),
    transaction: () => producer.transaction(),
    close: () => producer.close(),
  };
}

/** The offsets of the partitions `records` were sent to. */
function ownOffsets(result: AppendResult, records: readonly OutgoingRecord[]): AppendResult {
  const partitions = new Set<string>();
  let topic: string | undefined;
  let partition = -1;
  for (const r of records) {
    // Records come in runs of one partition: one key per run.
    if (r.topic === topic && r.partition === partition) continue;
    topic = r.topic;
    partition = r.partition;
    partitions.add(`${topic}:${partition}`);
  }
  return result.filter((o) => partitions.has(`${o.topic}:${o.partition}`));
}
