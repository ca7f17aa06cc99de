export { createSchemaRegistryCodec, SchemaRegistryCodec, type RegistrySchemaType } from './codec.js';
export {
  parseSchemaRegistryConfig,
  schemaRegistryConfigSchema,
  type SchemaRegistryConfig,
  type SchemaRegistryConfigInput,
} from './config.js';
export { CHANGE_EVENT_AVRO_SCHEMA, CHANGE_EVENT_JSON_SCHEMA } from './schemas.js';
