/**
 * A hook that runs before a kafkajs consumer rejoins its group, while it is still a member of the
 * generation that is ending. kafkajs tells its user about a rebalance only once the new generation
 * is formed (GROUP_JOIN); by then the partitions it gave up may already be read by their next
 * owner from the last committed offsets, so whatever was processed since is processed twice. A
 * Kafka consumer's onPartitionsRevoked runs before the rejoin instead, when the coordinator still
 * accepts the member's commits (the group is preparing the rebalance): this gives the same moment.
 *
 * kafkajs has no such callback: `ConsumerGroup.prototype.joinAndSync`, through which every rejoin
 * goes (a rebalance seen by a heartbeat, stale metadata, a lost member id), is wrapped once per
 * process. Hooks are found by member id, which the consumer learns when it joins.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KAFKAJS_SRC } from './kafkajs-src.js';

const require = createRequire(import.meta.url);
const CONSUMER_GROUP_MODULE = join(KAFKAJS_SRC, 'consumer/consumerGroup.js');

/** Runs before the member rejoins. It reports its own failures: one it lets through fails the rejoin. */
export type BeforeRejoin = () => Promise<void>;

interface ConsumerGroupPrototype {
  joinAndSync(this: { memberId: string | null }): Promise<void>;
}

const hooks = new Map<string, BeforeRejoin>();
let installed = false;

function install(): void {
  if (installed) return;
  const ConsumerGroup = require(CONSUMER_GROUP_MODULE) as { prototype: ConsumerGroupPrototype };
  const original = ConsumerGroup.prototype.joinAndSync;
  ConsumerGroup.prototype.joinAndSync = async function joinAndSync(this: { memberId: string | null }) {
    const hook = this.memberId === null ? undefined : hooks.get(this.memberId);
    if (hook !== undefined) await hook();
    return original.call(this);
  };
  installed = true;
}

/**
 * Registers `hook` for the member `memberId` (replacing the hook of its previous id, if any);
 * returns the function that removes it.
 */
export function onBeforeRejoin(memberId: string, hook: BeforeRejoin): () => void {
  install();
  hooks.set(memberId, hook);
  return () => {
    if (hooks.get(memberId) === hook) hooks.delete(memberId);
  };
}
