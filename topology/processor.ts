import type { Headers, KeyValueStore, ReadOnlyTable } from '../state/index.js';

/** A record flowing between nodes. Keys are strings (FHIR references, subscription ids). */
export interface StreamRecord<V> {
  key: string | null;
  value: V;
  /** Milliseconds since the epoch; drives stream time. */
  timestamp: number;
  headers: Headers;
}

export type PunctuationType = 'wall-clock' | 'stream-time';

/** Everything a processor may use; one context per node and task. */
export interface ProcessorContext<VOut> {
  readonly taskId: string;
  readonly partition: number;
  /** Where the record being processed came from; undefined inside a punctuator. */
  readonly topic: string | undefined;
  readonly offset: string | undefined;
  readonly timestamp: number;
  readonly headers: Headers;
  /** Sends a record to every child, or to the named child only. Await it to keep order. */
  forward(record: StreamRecord<VOut>, child?: string): Promise<void>;
  store<V>(name: string): KeyValueStore<string, V>;
  table<V>(name: string): ReadOnlyTable<V>;
  /**
   * Calls `callback` every `intervalMs`: of wall-clock time, or of stream time (the largest record
   * timestamp the task has seen). Returns a cancel function.
   */
  schedule(
    intervalMs: number,
    type: PunctuationType,
    callback: (timestamp: number) => void | Promise<void>,
  ): () => void;
  streamTime(): number;
  wallClockTime(): number;
}

/** A node's logic: `process` may be async (store reads); records of one task are processed one at a time. */
export interface Processor<VIn, VOut = never> {
  init?(context: ProcessorContext<VOut>): void | Promise<void>;
  process(record: StreamRecord<VIn>, context: ProcessorContext<VOut>): void | Promise<void>;
  close?(): void | Promise<void>;
  /**
   * For a processor that finishes records after `process` returns (a sink delivering in the
   * background): the next input offset that may be committed, every record before it being done.
   * Undefined when nothing is done yet. The task never commits past it.
   */
  committableOffset?(): string | undefined;
}

/** What to do with a record a stage cannot handle. */
export type ErrorPolicy = 'dead-letter' | 'fail';

/** Injected time, so tests can drive punctuators. */
export interface Clock {
  now(): number;
  /** Calls `callback` every `ms`; returns a cancel function. */
  every(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, callback) => {
    const timer = setInterval(callback, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
