import { ConfigError } from '../../state/index.js';

/**
 * Which failures a streams instance restarts from. A broker that went away, a leader being
 * elected, a coordinator that moved, a request that timed out or a member fenced out of its
 * group all pass once the cluster settles: the instance releases its tasks and starts again.
 * Bad configuration and refused credentials do not pass by waiting: they end the instance.
 */

/** Kafka protocol errors telling this member it lost its partitions (another owns them now). */
const LOST_MEMBERSHIP = new Set([
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
]);

/** Socket errors of a peer that is restarting or unreachable for a while. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * kafkajs errors it marks non-retriable although the cluster condition passes: no group
 * coordinator while the broker hosting it restarts (kafkajs gives up after its own retries).
 */
const TRANSIENT_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound']);

/** Refused credentials or permissions, unusable TLS material: waiting does not fix these. */
const NOT_BY_WAITING = /AUTHENTICATION|AUTHORIZATION|SASL|CERT|SELF_SIGNED|ERR_TLS|ERR_SSL/i;

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  retriable?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (bounded: cause chains may loop). */
function chain(error: unknown): ErrorLike[] {
  const links: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && links.length < 16) {
    if (links.includes(current as ErrorLike)) break;
    links.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return links;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** True when the instance should restart (after a back-off) instead of ending in `failed`. */
export function isRecoverable(error: unknown): boolean {
  const links = chain(error);
  if (links.some((link) => link instanceof ConfigError)) return false;
  if (links.some((link) => NOT_BY_WAITING.test(`${text(link.name)} ${text(link.type)} ${text(link.code)}`)))
    return false;
  // Any retriable link counts: kafkajs gives up on a retriable condition with an error marked
  // non-retriable (KafkaJSNumberOfRetriesExceeded) whose cause carries the original retriability.
  return links.some(
    (link) =>
      link.retriable === true ||
      LOST_MEMBERSHIP.has(text(link.type)) ||
      TRANSIENT_NAMES.has(text(link.name)) ||
      TRANSIENT_SOCKET_CODES.has(text(link.code)),
  );
}

/** Why an error is what it is, for logs: the messages of the error and its causes. */
export function describeFailure(error: unknown): string {
  return chain(error)
    .map((link) => (link instanceof Error ? link.message : String(link)))
    .filter((message, i, all) => message !== '' && all.indexOf(message) === i)
    .join(' <- ');
}
