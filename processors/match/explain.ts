/** One criterion's verdict, for users asking why a subscription did or did not fire. */
export interface Reason {
  criterion: string;
  passed: boolean;
  detail?: string;
}

export interface Verdict {
  subscriptionId: string;
  matched: boolean;
  reasons: Reason[];
}
