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

type Text = string | (() => string);

/**
 * Records a check when explaining; otherwise just answers it. Texts may be functions so that
 * matching, which records nothing, never builds them.
 */
export type Note = (criterion: Text, passed: boolean, detail?: Text) => boolean;

const answer: Note = (_criterion, passed) => passed;

const text = (t: Text): string => (typeof t === 'function' ? t() : t);

export function noter(reasons: Reason[] | undefined, prefix: Text = ''): Note {
  if (!reasons) return answer;
  return (criterion, passed, detail) => {
    reasons.push({
      criterion: `${text(prefix)}${text(criterion)}`,
      passed,
      ...(detail !== undefined ? { detail: text(detail) } : {}),
    });
    return passed;
  };
}
