import { DecodeError } from '../../state/index.js';

/** Why a changelog record could not be turned into ChangeEvents; the dead-letter topic carries it. */
export type DecodeReason =
  | 'empty-value'
  | 'too-large'
  | 'not-json'
  | 'unknown-format'
  | 'schema-registry'
  | 'invalid-resource'
  | 'missing-resource-type'
  | 'invalid-resource-type'
  | 'missing-id'
  | 'invalid-id'
  | 'resource-mismatch'
  | 'key-mismatch'
  | 'unknown-interaction'
  | 'missing-resource'
  | 'invalid-version'
  | 'version-mismatch'
  | 'invalid-timestamp'
  | 'invalid-tenant'
  | 'empty-batch';

/** A record that cannot be decoded; `reason` is a stable code, the message says what was wrong. */
export class ChangeDecodeError extends DecodeError {
  readonly reason: DecodeReason;

  constructor(
    reason: DecodeReason,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, { retriable: false, cause: options.cause, context: { reason, ...options.context } });
    this.reason = reason;
  }
}
