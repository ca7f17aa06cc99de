// Schema registry codec (Avro / JSON Schema values framed for a Confluent-compatible registry).
export * from './schema-registry/index.js';
