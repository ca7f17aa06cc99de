/**
 * Schemas a producer can register for the canonical ChangeEvent. FHIR resources have no fixed
 * record shape, so `resource` and `previous` travel as JSON text in Avro; the decoder parses them.
 */
export const CHANGE_EVENT_AVRO_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'ChangeEvent',
  namespace: 'dev.substream',
  fields: [
    {
      name: 'interaction',
      type: { type: 'enum', name: 'Interaction', symbols: ['create', 'update', 'delete'] },
    },
    { name: 'resourceType', type: 'string' },
    { name: 'id', type: 'string' },
    { name: 'versionId', type: ['null', 'string'], default: null },
    { name: 'occurredAt', type: ['null', 'string'], default: null },
    { name: 'tenant', type: ['null', 'string'], default: null },
    { name: 'resource', type: ['null', 'string'], default: null, doc: 'the FHIR resource as JSON text' },
    { name: 'previous', type: ['null', 'string'], default: null, doc: 'the previous version as JSON text' },
  ],
});

export const CHANGE_EVENT_JSON_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ChangeEvent',
  type: 'object',
  required: ['interaction', 'resourceType', 'id'],
  properties: {
    interaction: { enum: ['create', 'update', 'delete'] },
    resourceType: { type: 'string' },
    id: { type: 'string' },
    versionId: { type: 'string' },
    occurredAt: { type: 'string' },
    tenant: { type: 'string' },
    resource: { type: 'object', required: ['resourceType'] },
    previous: { type: 'object', required: ['resourceType'] },
  },
});
