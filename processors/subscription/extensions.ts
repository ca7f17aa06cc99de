/** Extension URLs substream understands on Subscription resources. */
export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const EXT = {
  backportFilterCriteria: `${BACKPORT}/backport-filter-criteria`,
  backportPayloadContent: `${BACKPORT}/backport-payload-content`,
  backportHeartbeatPeriod: `${BACKPORT}/backport-heartbeat-period`,
  backportTimeout: `${BACKPORT}/backport-timeout`,
  backportMaxCount: `${BACKPORT}/backport-max-count`,
  backportChannelType: `${BACKPORT}/backport-channel-type`,
  backportNotificationUrlLocation: `${BACKPORT}/backport-notification-url-location`,
  backportProfile: `${BACKPORT}/backport-subscription`,
  hapiSendDeleteMessages: 'http://hapifhir.io/fhir/StructureDefinition/subscription-send-delete-messages',
  hapiStripVersionIds: 'http://hapifhir.io/fhir/StructureDefinition/subscription-resthook-strip-version-ids',
  hapiDeliverLatestVersion:
    'http://hapifhir.io/fhir/StructureDefinition/subscription-resthook-deliver-latest-version',
  hapiPayloadSearchCriteria:
    'http://hapifhir.io/fhir/StructureDefinition/subscription-payload-search-criteria',
  smileReplicateMode:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-replicate-mode',
  smileReplicateIdPrefix:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-replicate-id-prefix',
  smileReplicateIdPrefixSelector:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-replicate-id-prefix-selector',
  smileReplicateStripIdPrefix:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-replicate-strip-id-prefix',
  smileReplicateStripBaseUrl:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-replicate-strip-reference-base-url',
  smileDeliveryClass:
    'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-channel-rest-delivery-class',
  smileNamedChannel: 'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-named-channel-delivery',
  medplumSupportedInteraction:
    'https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction',
  medplumFhirPathCriteria: 'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression',
  medplumMaxAttempts: 'https://medplum.com/fhir/StructureDefinition/subscription-max-attempts',
  medplumSecret: 'https://www.medplum.com/fhir/StructureDefinition/subscription-secret',
  /** substream's own: the payload format for message/kafka channels (smile, firely, ehealth-*, fhir). */
  substreamPayloadFormat: 'https://substream.dev/fhir/StructureDefinition/subscription-payload-format',
  substreamSigningSecret: 'https://substream.dev/fhir/StructureDefinition/subscription-signing-secret',
} as const;

export interface Extension {
  url: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueCode?: string;
  valueUri?: string;
  valueUrl?: string;
  valueCanonical?: string;
  valueInteger?: number;
  valueUnsignedInt?: number;
  valuePositiveInt?: number;
  valueCoding?: { system?: string; code?: string };
  [key: string]: unknown;
}

export function extensionsOf(element: unknown): Extension[] {
  if (element === null || typeof element !== 'object') return [];
  const ext = (element as { extension?: unknown }).extension;
  return Array.isArray(ext) ? (ext.filter((e) => e && typeof e === 'object') as Extension[]) : [];
}

export function findExtension(element: unknown, url: string): Extension | undefined {
  return extensionsOf(element).find((e) => e.url === url);
}

export function findExtensions(element: unknown, url: string): Extension[] {
  return extensionsOf(element).filter((e) => e.url === url);
}

/** The primitive value of an extension, whatever value[x] it uses. */
export function extensionValue(e: Extension | undefined): string | number | boolean | undefined {
  if (!e) return undefined;
  for (const [k, v] of Object.entries(e)) {
    if (k.startsWith('value') && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      return v;
    }
    if (k === 'valueCoding' && v && typeof v === 'object') return (v as { code?: string }).code;
  }
  return undefined;
}
