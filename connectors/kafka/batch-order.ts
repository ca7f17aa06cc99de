/**
 * The order in which a fetch round's batches are handed to kafkajs's workers, for the group
 * consumers of this transport.
 *
 * kafkajs queues a round's batches in the order the broker answered them (the order of the
 * request's topics) and its workers take them from the front. A processor reads its source topic
 * and its own repartition topics in one round, so after a pause (a full garbage collection, say)
 * the round's new changes were processed before the matches waiting in the repartition topic,
 * records of older changes that are one step from being notified. Handing the repartition
 * topics' batches out first works off the oldest changes first: the catch-up after a pause
 * delays the notifications already in the pipeline less.
 *
 * Only the order between partitions changes; each batch is one partition's records in offset
 * order, as before, and records of different partitions never had an order between them.
 */

/** What the reordering uses of a fetched batch (kafkajs's Batch). */
export interface TopicBatch {
  topic: string;
}

export type RoundFetch<G, B extends TopicBatch> = (this: G, nodeId: number) => Promise<B[]>;

/** The batches of topics in `first` ahead of the others, each group in the order it came. */
export function firstTopicsFirst<B extends TopicBatch>(batches: B[], first: ReadonlySet<string>): B[] {
  if (first.size === 0 || batches.length < 2) return batches;
  const ahead: B[] = [];
  const rest: B[] = [];
  for (const batch of batches) (first.has(batch.topic) ? ahead : rest).push(batch);
  return ahead.length === 0 || rest.length === 0 ? batches : [...ahead, ...rest];
}

/** `fetch` with each round's batches reordered by `firstOf(groupId)` (no reordering without one). */
export function orderedFetch<G extends { groupId: string }, B extends TopicBatch>(
  fetch: RoundFetch<G, B>,
  firstOf: (groupId: string) => ReadonlySet<string> | undefined,
): RoundFetch<G, B> {
  return async function ordered(this: G, nodeId: number): Promise<B[]> {
    const batches = await fetch.call(this, nodeId);
    const first = firstOf(this.groupId);
    return first === undefined ? batches : firstTopicsFirst(batches, first);
  };
}
