/** Where generated changes go: a Kafka topic or the service's HTTP ingest. */
import type { GeneratedChange } from './changes.js';

export interface ChangeEmitter {
  connect(): Promise<void>;
  /** Sends one batch; resolves when the destination acknowledged it. */
  send(batch: readonly GeneratedChange[]): Promise<void>;
  close(): Promise<void>;
}
