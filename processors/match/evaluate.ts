import type { ChangeState } from './change-state.js';
import type { SubscriptionEntry, TopicEntry } from './compile-subscription.js';
import { noter, type Note, type Reason } from './explain.js';
import { triggerFires } from './topic/compile-topic.js';

/** Tenant, status, end and interaction: what every kind of subscription checks first. */
function gate(
  entry: SubscriptionEntry,
  state: ChangeState,
  tenant: string,
  at: () => number,
  note: Note,
  all: boolean,
): boolean {
  const sub = entry.subscription;
  let ok = note(
    `tenant ${entry.tenant || '(none)'}`,
    entry.tenant === tenant,
    tenant ? `change of tenant ${tenant}` : 'change without tenant',
  );
  if (!ok && !all) return false;
  ok = note(`status ${sub.status}`, entry.live, 'requested or active subscriptions match') && ok;
  if (!ok && !all) return false;
  if (entry.endsAt !== Infinity) {
    ok = note(`end ${sub.end}`, !(entry.endsAt <= at())) && ok;
    if (!ok && !all) return false;
  }
  if (entry.interactions.length > 0) {
    ok =
      note(
        `interaction ${entry.interactions.join('|')}`,
        entry.interactions.includes(state.interaction),
        state.interaction,
      ) && ok;
  }
  return ok;
}

function fhirPathHolds(entry: SubscriptionEntry, state: ChangeState, note: Note): boolean {
  if (!entry.fhirPath) return true;
  const focus = state.focus?.resource;
  const current = state.interaction === 'delete' ? focus : state.current?.resource;
  return note(
    `fhir-path-criteria-expression ${entry.fhirPath.text}`,
    entry.fhirPath.test(
      focus,
      current,
      state.interaction === 'delete' ? undefined : state.previous?.resource,
    ),
  );
}

/**
 * The full verdict of one subscription on one change. With `reasons`, every check is run and
 * recorded (explanations); without, the first failure answers.
 */
/** The same checks as `gate`, when nothing is recorded: no texts, no closures. */
function passesGate(entry: SubscriptionEntry, state: ChangeState, tenant: string, at: () => number): boolean {
  if (entry.tenant !== tenant || !entry.live) return false;
  if (entry.endsAt !== Infinity && entry.endsAt <= at()) return false;
  return entry.interactions.length === 0 || entry.interactions.includes(state.interaction);
}

export function evaluateEntry(
  entry: SubscriptionEntry,
  state: ChangeState,
  tenant: string,
  /** When the change happened, worked out only if a subscription has an end. */
  at: () => number,
  reasons?: Reason[],
  /** The topic's trigger is already known to have fired for this change (evaluated once per topic). */
  triggered = false,
): boolean {
  const note = noter(reasons);
  const all = reasons !== undefined;
  let ok = all ? gate(entry, state, tenant, at, note, all) : passesGate(entry, state, tenant, at);
  if (!ok && !all) return false;
  if (entry.kind === 'classic') {
    ok =
      note(
        `resource type ${entry.criteria.resourceType}`,
        entry.criteria.resourceType === state.resourceType,
        state.resourceType,
      ) && ok;
    if (!ok && !all) return false;
    for (const c of entry.criteria.criteria) {
      const passed = state.focus ? c.test(state.focus) : false;
      ok = note(c.text, passed, state.focus ? undefined : 'the change carries no resource') && ok;
      if (!ok && !all) return false;
    }
    return fhirPathHolds(entry, state, note) && ok;
  }
  ok = (triggered || topicTriggered(entry, state, reasons)) && ok;
  if (!ok && !all) return false;
  ok = filtersPass(entry, state, note, all) && ok;
  if (!ok && !all) return false;
  return fhirPathHolds(entry, state, note) && ok;
}

function topicTriggered(entry: TopicEntry, state: ChangeState, reasons: Reason[] | undefined): boolean {
  const triggers = entry.topic.triggersByType.get(state.resourceType) ?? [];
  if (triggers.length === 0) {
    reasons?.push({
      criterion: `topic ${entry.topic.url} resource triggers`,
      passed: false,
      detail: `none on ${state.resourceType}`,
    });
    return false;
  }
  let fired = false;
  for (const t of triggers) {
    if (triggerFires(t, state, reasons)) {
      fired = true;
      if (!reasons) break;
    }
  }
  return fired;
}

export function filtersPass(entry: TopicEntry, state: ChangeState, note: Note, all: boolean): boolean {
  let ok = true;
  for (const c of entry.filters.get(state.resourceType) ?? []) {
    const passed = state.focus ? c.test(state.focus) : false;
    ok =
      note(() => `filter ${c.text}`, passed, state.focus ? undefined : 'the change carries no resource') &&
      ok;
    if (!ok && !all) return false;
  }
  return ok;
}
