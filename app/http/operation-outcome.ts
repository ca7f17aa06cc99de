/** FHIR errors: every failed request answers with an OperationOutcome naming what went wrong. */
export type IssueCode =
  | 'invalid'
  | 'not-found'
  | 'security'
  | 'processing'
  | 'conflict'
  | 'not-supported'
  | 'exception'
  | 'transient';

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: {
    severity: 'error' | 'fatal' | 'warning' | 'information';
    code: IssueCode;
    diagnostics: string;
    expression?: string[];
  }[];
}

export function operationOutcome(
  code: IssueCode,
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
  };
}

/** An error the HTTP layer answers with its status and an OperationOutcome. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueCode,
    message: string,
    readonly expression?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
