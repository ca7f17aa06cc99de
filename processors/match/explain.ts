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

/** Records a check when explaining; otherwise just answers it. */
export type Note = (criterion: string, passed: boolean, detail?: string) => boolean;

const answer: Note = (_criterion, passed) => passed;

export function noter(reasons: Reason[] | undefined, prefix = ''): Note {
  if (!reasons) return answer;
  return (criterion, passed, detail) => {
    reasons.push({ criterion: `${prefix}${criterion}`, passed, ...(detail !== undefined ? { detail } : {}) });
    return passed;
  };
}
