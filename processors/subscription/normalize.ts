import { CompileError } from '../../state/index.js';
import type { ChannelType, FhirResource, Interaction } from '../contracts.js';
import { EXT, extensionValue, findExtension, findExtensions, type Extension } from './extensions.js';
import type {
  NormalizedSubscription,
  PayloadContent,
  PayloadFormat,
  SubscriptionFilter,
  SubscriptionState,
} from './model.js';

const CHANNEL_TYPES: readonly ChannelType[] = ['rest-hook', 'message', 'kafka', 'websocket', 'email'];
const STATES: readonly SubscriptionState[] = ['requested', 'active', 'error', 'off', 'entered-in-error'];
const CONTENTS: readonly PayloadContent[] = ['empty', 'id-only', 'full-resource'];
const INTERACTIONS: readonly Interaction[] = ['create', 'update', 'delete'];
const FORMATS: readonly PayloadFormat[] = [
  'fhir',
  'smile-resource-modified',
  'firely-resources-changed',
  'ehealth-simple',
  'ehealth-context',
  'ehealth-reference',
];

export interface NormalizeOptions {
  tenant?: string;
  /** R4 and R4B Subscriptions share one shape; the caller may say which server version wrote it. */
  fhirVersion?: 'R4' | 'R4B';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new CompileError(`${where} must be a non-negative integer, got ${JSON.stringify(v)}`, {
      context: { element: where },
    });
  }
  return n;
}

/** An extension on the Subscription or on its channel (vendors differ on where they put it). */
function vendorExtension(resource: Obj, url: string): Extension | undefined {
  return findExtension(resource, url) ?? findExtension(resource.channel, url);
}

function bool(e: Extension | undefined): boolean {
  const v = extensionValue(e);
  return v === true || v === 'true';
}

function isCanonical(criteria: string): boolean {
  return /^(https?:\/\/|urn:)/i.test(criteria);
}

/**
 * Reads a Subscription of any supported shape (R4 classic, R4/R4B backport, R5) into one model.
 * Throws CompileError naming the element when the resource cannot be understood.
 */
export function normalizeSubscription(
  resource: FhirResource,
  options: NormalizeOptions = {},
): NormalizedSubscription {
  if (!isObj(resource) || resource.resourceType !== 'Subscription') {
    throw new CompileError('not a Subscription resource', { context: { element: 'resourceType' } });
  }
  const r = resource as Obj;
  const id = str(r.id);
  if (!id) throw new CompileError('Subscription.id is required', { context: { element: 'Subscription.id' } });

  const status = (str(r.status) ?? 'requested') as SubscriptionState;
  if (!STATES.includes(status)) {
    throw new CompileError(`Subscription.status '${String(r.status)}' is not a subscription status`, {
      context: { element: 'Subscription.status' },
    });
  }

  const base = {
    id,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    status,
    ...(str(r.end) ? { end: str(r.end) } : {}),
    ...(str(r.reason) ? { reason: str(r.reason) } : {}),
    options: readOptions(r),
    resource,
  };

  if (r.topic !== undefined) return { ...base, ...readR5(r) };
  return { ...base, ...readR4(r, options.fhirVersion ?? 'R4') };
}

type VersionPart = Omit<
  NormalizedSubscription,
  'id' | 'tenant' | 'status' | 'end' | 'reason' | 'options' | 'resource'
>;

function readR5(r: Obj): VersionPart {
  const topicUrl = str(r.topic);
  if (!topicUrl)
    throw new CompileError('Subscription.topic must be a canonical URL', {
      context: { element: 'Subscription.topic' },
    });
  const coding = isObj(r.channelType) ? r.channelType : {};
  const code = str(coding.code);
  if (!code) {
    throw new CompileError('Subscription.channelType.code is required', {
      context: { element: 'Subscription.channelType' },
    });
  }
  const filterBy: SubscriptionFilter[] = (Array.isArray(r.filterBy) ? r.filterBy : []).map((f, i) => {
    const where = `Subscription.filterBy[${i}]`;
    if (!isObj(f)) throw new CompileError(`${where} must be an object`, { context: { element: where } });
    const filterParameter = str(f.filterParameter);
    const value = str(f.value);
    if (!filterParameter || value === undefined) {
      throw new CompileError(`${where} needs filterParameter and value`, { context: { element: where } });
    }
    return {
      filterParameter,
      value,
      ...(str(f.resourceType) ? { resourceType: str(f.resourceType) } : {}),
      ...(str(f.comparator) ? { comparator: str(f.comparator) } : {}),
      ...(str(f.modifier) ? { modifier: str(f.modifier) } : {}),
    };
  });
  const headers = (Array.isArray(r.parameter) ? r.parameter : [])
    .filter(isObj)
    .map((p) => `${String(p.name ?? '')}: ${String(p.value ?? '')}`);
  const content = (str(r.content) ?? 'empty') as PayloadContent;
  if (!CONTENTS.includes(content)) {
    throw new CompileError(`Subscription.content '${content}' is not empty, id-only or full-resource`, {
      context: { element: 'Subscription.content' },
    });
  }
  const channelType = CHANNEL_TYPES.includes(code as ChannelType) ? (code as ChannelType) : 'rest-hook';
  return {
    flavor: 'r5-topic',
    fhirVersion: 'R5',
    topicUrl,
    filterBy,
    filterCriteria: [],
    channel: {
      type: channelType,
      ...(channelType !== code ? { customType: code } : {}),
      ...(str(r.endpoint) ? { endpoint: str(r.endpoint) } : {}),
      headers,
      ...(str(r.contentType) ? { payloadMimeType: str(r.contentType) } : {}),
    },
    content,
    ...optionalNumbers({
      heartbeatPeriodSeconds: num(r.heartbeatPeriod, 'Subscription.heartbeatPeriod'),
      timeoutSeconds: num(r.timeout, 'Subscription.timeout'),
      maxCount: num(r.maxCount, 'Subscription.maxCount'),
    }),
  };
}

function readR4(r: Obj, fhirVersion: 'R4' | 'R4B'): VersionPart {
  const criteria = str(r.criteria);
  if (!criteria)
    throw new CompileError('Subscription.criteria is required', {
      context: { element: 'Subscription.criteria' },
    });
  const channel = isObj(r.channel) ? r.channel : undefined;
  if (!channel)
    throw new CompileError('Subscription.channel is required', {
      context: { element: 'Subscription.channel' },
    });
  const declaredType = str(channel.type);
  const customType = extensionValue(findExtension(channel._type, EXT.backportChannelType));
  if (!declaredType && customType === undefined) {
    throw new CompileError('Subscription.channel.type is required', {
      context: { element: 'Subscription.channel.type' },
    });
  }
  const typeCode = typeof customType === 'string' ? customType : declaredType!;
  const type = CHANNEL_TYPES.includes(typeCode as ChannelType) ? (typeCode as ChannelType) : 'rest-hook';
  const headers = (Array.isArray(channel.header) ? channel.header : []).filter(
    (h): h is string => typeof h === 'string',
  );
  const payloadMimeType = str(channel.payload);
  const profiles = isObj(r.meta) && Array.isArray(r.meta.profile) ? (r.meta.profile as unknown[]) : [];
  const backport = isCanonical(criteria) || profiles.includes(EXT.backportProfile);
  const common = {
    channel: {
      type,
      ...(type !== typeCode ? { customType: typeCode } : {}),
      ...(str(channel.endpoint) ? { endpoint: str(channel.endpoint) } : {}),
      headers,
      ...(payloadMimeType ? { payloadMimeType } : {}),
    },
    filterBy: [] as SubscriptionFilter[],
  };
  if (!backport) {
    return {
      ...common,
      flavor: 'r4-classic',
      fhirVersion,
      criteria,
      filterCriteria: [],
      // Classic R4: a payload mime type means the resource is sent; none means an empty ping.
      content: payloadMimeType ? 'full-resource' : 'empty',
    };
  }
  const filterCriteria = findExtensions(r._criteria, EXT.backportFilterCriteria)
    .map((e) => extensionValue(e))
    .filter((v): v is string => typeof v === 'string');
  const contentExt = extensionValue(findExtension(channel._payload, EXT.backportPayloadContent));
  const content = (typeof contentExt === 'string' ? contentExt : 'empty') as PayloadContent;
  if (!CONTENTS.includes(content)) {
    throw new CompileError(`backport-payload-content '${content}' is not empty, id-only or full-resource`, {
      context: { element: 'Subscription.channel.payload.extension' },
    });
  }
  return {
    ...common,
    flavor: 'backport',
    fhirVersion,
    topicUrl: criteria,
    filterCriteria,
    content,
    ...optionalNumbers({
      heartbeatPeriodSeconds: num(
        extensionValue(findExtension(channel, EXT.backportHeartbeatPeriod)),
        'backport-heartbeat-period',
      ),
      timeoutSeconds: num(extensionValue(findExtension(channel, EXT.backportTimeout)), 'backport-timeout'),
      maxCount: num(extensionValue(findExtension(channel, EXT.backportMaxCount)), 'backport-max-count'),
    }),
  };
}

function optionalNumbers<T extends Record<string, number | undefined>>(
  values: T,
): Partial<Record<keyof T, number>> {
  const out: Partial<Record<keyof T, number>> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k as keyof T] = v;
  return out;
}

function readOptions(r: Obj): NormalizedSubscription['options'] {
  const interactions = findExtensions(r, EXT.medplumSupportedInteraction).map((e) => extensionValue(e));
  for (const i of interactions) {
    if (typeof i !== 'string' || !INTERACTIONS.includes(i as Interaction)) {
      throw new CompileError(
        `subscription-supported-interaction '${String(i)}' is not create, update or delete`,
        {
          context: { element: EXT.medplumSupportedInteraction },
        },
      );
    }
  }
  const format = extensionValue(vendorExtension(r, EXT.substreamPayloadFormat)) ?? 'fhir';
  if (typeof format !== 'string' || !FORMATS.includes(format as PayloadFormat)) {
    throw new CompileError(
      `subscription-payload-format '${String(format)}' is not one of ${FORMATS.join(', ')}`,
      {
        context: { element: EXT.substreamPayloadFormat },
      },
    );
  }
  const s = (url: string): string | undefined => {
    const v = extensionValue(vendorExtension(r, url));
    return typeof v === 'string' ? v : undefined;
  };
  const replicate = bool(vendorExtension(r, EXT.smileReplicateMode));
  const replication = {
    enabled: replicate,
    ...(s(EXT.smileReplicateIdPrefix) ? { addIdPrefix: s(EXT.smileReplicateIdPrefix) } : {}),
    ...(s(EXT.smileReplicateIdPrefixSelector)
      ? { addIdPrefixSelector: s(EXT.smileReplicateIdPrefixSelector) }
      : {}),
    ...(s(EXT.smileReplicateStripIdPrefix) ? { stripIdPrefix: s(EXT.smileReplicateStripIdPrefix) } : {}),
    ...(s(EXT.smileReplicateStripBaseUrl)
      ? { stripReferenceBaseUrl: s(EXT.smileReplicateStripBaseUrl) }
      : {}),
  };
  const maxAttempts = num(
    extensionValue(vendorExtension(r, EXT.medplumMaxAttempts)),
    'subscription-max-attempts',
  );
  const fhirPathCriteria = s(EXT.medplumFhirPathCriteria);
  const signingSecret = s(EXT.substreamSigningSecret) ?? s(EXT.medplumSecret);
  return {
    sendDeleteMessages: bool(vendorExtension(r, EXT.hapiSendDeleteMessages)),
    stripVersionIds: bool(vendorExtension(r, EXT.hapiStripVersionIds)),
    deliverLatestVersion: bool(vendorExtension(r, EXT.hapiDeliverLatestVersion)),
    ...(s(EXT.hapiPayloadSearchCriteria) ? { payloadSearchCriteria: s(EXT.hapiPayloadSearchCriteria) } : {}),
    ...(Object.keys(replication).length > 1 || replicate ? { replication } : {}),
    ...(s(EXT.smileNamedChannel) ? { namedChannel: s(EXT.smileNamedChannel) } : {}),
    ...(s(EXT.smileDeliveryClass) ? { deliveryClass: s(EXT.smileDeliveryClass) } : {}),
    supportedInteractions: interactions as Interaction[],
    ...(fhirPathCriteria ? { fhirPathCriteria } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(signingSecret ? { signingSecret } : {}),
    payloadFormat: format as PayloadFormat,
  };
}
