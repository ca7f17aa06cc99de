import type { ChangeEvent, FhirResource, Interaction } from '../contracts.js';

/** The JSON shapes a changelog value may take once unframed. */
export type ChangelogFormat = 'canonical' | 'firely' | 'smile';

/** How a topic's values are read: fixed by configuration, or detected per record (`auto`). */
export type TopicFormat = ChangelogFormat | 'schema-registry' | 'auto';

export type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;

/** One changelog record as the source hands it over (the dead-letter record reuses these fields). */
export interface ChangelogRecord {
  topic: string;
  partition?: number;
  offset?: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

/**
 * Port to a Confluent-compatible schema registry: turns a framed value (magic byte 0, 4-byte
 * schema id, Avro or JSON Schema payload) into its decoded object. connectors/ implements it.
 */
export interface FramedValueDecoder {
  decode(value: Buffer): Promise<unknown>;
}

export interface DecodeOptions {
  /** Format per topic name; topics not listed use `defaultFormat`. */
  topicFormats?: Readonly<Record<string, TopicFormat>>;
  /** Default `auto`: framed values go to the registry, JSON values are recognised by shape. */
  defaultFormat?: TopicFormat;
  /** Largest value accepted, in bytes. Default 4 MiB (MAX_RECORD_BYTES). */
  maxValueBytes?: number;
  /** Header naming the tenant when the value does not. Default `tenant`. */
  tenantHeader?: string;
  /** Needed for framed values; without it they are dead-lettered. */
  schemaRegistry?: FramedValueDecoder;
}

/** One decoded change with its canonical key. */
export interface DecodedChange {
  key: string;
  change: ChangeEvent;
  /** True when the record's key is not this canonical key: the change must go through a repartition. */
  repartition: boolean;
  format: ChangelogFormat;
  /**
   * True for a change announced without its body (Firely light event, Smile message without
   * payload): it can only match criteria that need no body, unless the versions store enriches it.
   */
  bodyless: boolean;
}

/** What a format reader extracts before validation. */
export interface RawChange {
  interaction: unknown;
  resourceType?: unknown;
  id?: unknown;
  versionId?: unknown;
  resource?: FhirResource;
  previous?: FhirResource;
  occurredAt?: unknown;
  tenant?: unknown;
  /** Where in the value the change sits, for error messages (`changes[2]`). */
  at?: string;
}

export const INTERACTIONS: readonly Interaction[] = ['create', 'update', 'delete'];
