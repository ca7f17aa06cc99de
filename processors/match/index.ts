/**
 * Subscription matching: criteria and topics compiled once, an index that picks candidate
 * subscriptions per change, explanations. Pure: no transport, no store.
 */
export {
  createMatcher,
  type CompileOutcome,
  type Matcher,
  type MatcherOptions,
  type PutSubscriptionOptions,
  type PutTopicOptions,
  type TopicEvent,
  type TopicOutcome,
} from './matcher.js';
export type { Reason, Verdict } from './explain.js';
export { compileCriteria, type CompiledCriteria, type CriteriaOptions } from './criteria/compile-criteria.js';
export { parseCriteria, type ParsedCriteria, type QueryParam } from './criteria/parse.js';
export { readTopic, type TopicDefinition } from './topic/topic-model.js';
export {
  searchParameters,
  type SearchParameterDefinition,
  type SearchParameterRegistry,
} from './definitions/search-parameters.js';
export { ResourceView, type Criterion, type TypedValue } from './types.js';
