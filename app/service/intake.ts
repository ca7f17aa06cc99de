import type { ChangeEvent, DecodeOptions } from '../../processors/index.js';
import { canonicalResourceKey, ChangeDecodeError, decodeChangeRecord } from '../../processors/index.js';
import type { LogProducer, Transport } from '../../state/index.js';
import { DecodeError } from '../../state/index.js';
import { partitionFor } from '../../topology/index.js';
import type { ChangeIntake } from '../http/index.js';

/**
 * HTTP ingest: the decoder's own validation decides what is accepted, and accepted changes are
 * appended to the changelog keyed by resource, so they are processed like any producer's.
 */
export class ChangelogIntake implements ChangeIntake {
  private partitions: number | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly producer: LogProducer,
    private readonly topic: string,
    private readonly decode: DecodeOptions,
  ) {}

  async validate(value: unknown, tenant?: string): Promise<ChangeEvent> {
    const withTenant =
      tenant !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { ...(value as object), tenant }
        : value;
    try {
      const [decoded, ...more] = await decodeChangeRecord(
        { topic: this.topic, key: null, value: Buffer.from(JSON.stringify(withTenant ?? null)) },
        { ...this.decode, defaultFormat: 'canonical', topicFormats: {} },
      );
      if (!decoded || more.length > 0) throw new DecodeError('expected exactly one change');
      return decoded.change;
    } catch (error) {
      if (error instanceof ChangeDecodeError) throw new DecodeError(error.message, { cause: error });
      throw error;
    }
  }

  async submit(changes: readonly ChangeEvent[]): Promise<void> {
    this.partitions ??= (await this.transport.admin.partitionCount(this.topic)) ?? 1;
    await this.producer.send(
      changes.map((change) => {
        const key = Buffer.from(canonicalResourceKey(change.resourceType, change.id, change.tenant));
        return {
          topic: this.topic,
          partition: partitionFor(key, this.partitions!),
          key,
          value: Buffer.from(JSON.stringify(change)),
          timestamp: Date.now(),
        };
      }),
    );
  }
}
