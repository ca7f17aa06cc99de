import type { Config } from '../config/index.js';

/** What a stream thread is started with (structured-cloned into the worker). */
export interface StreamThreadData {
  config: Config;
  thread: number;
  partitions: number;
  logLevel: string;
}

export interface EventsQueryMessage {
  since?: number;
  until?: number;
}

/** Requests from the process's own thread; each is answered with a `reply` of the same id. */
export type ThreadRequest =
  | { id: number; kind: 'metrics' }
  | { id: number; kind: 'owns'; partition: number }
  | {
      id: number;
      kind: 'events';
      partition: number;
      subscriptionId: string;
      tenant: string | undefined;
      query: EventsQueryMessage;
    }
  | { id: number; kind: 'start' }
  | { id: number; kind: 'stop' };

/** Messages from a stream thread. */
export type ThreadMessage =
  | { kind: 'state'; state: string; error?: string }
  | { kind: 'booted' }
  | { kind: 'boot-failed'; error: string }
  | { kind: 'reply'; id: number; value?: unknown; error?: string };
