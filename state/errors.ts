/**
 * The error hierarchy every area shares. It sits in the bottom layer so that any area may
 * import it. Narrow with `instanceof`; never compare names.
 */
export interface ErrorContext {
  readonly [key: string]: unknown;
}

export class SubstreamError extends Error {
  /** Whether trying the same operation again may succeed. */
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(
    message: string,
    options: { retriable?: boolean; cause?: unknown; context?: ErrorContext } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** Configuration that cannot work; raised at start, naming every offending setting. */
export class ConfigError extends SubstreamError {
  readonly issues: readonly { setting: string; message: string }[];

  constructor(issues: readonly { setting: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.setting}: ${i.message}`).join('\n')}`, {
      retriable: false,
      context: { settings: issues.map((i) => i.setting) },
    });
    this.issues = issues;
  }
}

/** A record whose bytes or shape cannot be understood; it goes to a dead-letter topic. */
export class DecodeError extends SubstreamError {}

/** A subscription or topic that cannot be compiled into a matcher. */
export class CompileError extends SubstreamError {}

/** A failure in a stage's own processing of a record (not of its input). */
export class ProcessingError extends SubstreamError {}

/** A state store operation that failed, or a store used after close. */
export class StoreError extends SubstreamError {}

/** A transport (Kafka, RabbitMQ, HTTP) that is not connected or failed; usually retriable. */
export class TransportError extends SubstreamError {}
