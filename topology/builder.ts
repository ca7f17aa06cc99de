import type { Codec } from '../state/index.js';
import { codecs, ConfigError } from '../state/index.js';
import type { ErrorPolicy, Processor, StreamRecord } from './processor.js';

export interface SourceOptions<V> {
  topic: string;
  value: Codec<V>;
  /** Records whose value cannot be decoded: to the dead-letter topic (default) or fail the task. */
  onDecodeError?: ErrorPolicy;
  /** Default: `<topic>.dlq`. */
  deadLetterTopic?: string;
}

export interface ProcessorOptions<VIn, VOut> {
  parents: readonly string[];
  /** Called once per task: each task has its own processor instance. */
  processor: () => Processor<VIn, VOut>;
  stores?: readonly string[];
  /** Records whose processing throws: to the dead-letter topic (default) or fail the task. */
  onError?: ErrorPolicy;
  /** Default: `<input topic>.dlq`. */
  deadLetterTopic?: string;
}

export interface RepartitionOptions<V> {
  parent: string;
  /** The new key; records are routed by it through an internal topic. */
  key: (record: StreamRecord<V>) => string | null;
  value?: Codec<V>;
  /** Default: the partition count of the parent's sources. */
  partitions?: number;
}

export interface SinkOptions<V> {
  parents: readonly string[];
  /** A fixed topic, or one chosen per record. */
  topic: string | ((record: StreamRecord<V>) => string);
  value: Codec<V>;
}

export interface StoreOptions<V> {
  value: Codec<V>;
  /** Default: `<application id>-<store>-changelog`. */
  changelogTopic?: string;
  /** Write-back cache flushed at each commit (default true). */
  caching?: boolean;
}

export interface GlobalTableDefinition<V> {
  name: string;
  topic: string;
  value: Codec<V>;
}

interface NodeBase {
  name: string;
  parents: string[];
  children: string[];
}
export interface SourceNode extends NodeBase {
  kind: 'source';
  /** A literal topic, or the repartition node this source reads (internal topic). */
  topic: string;
  internal: boolean;
  value: Codec<unknown>;
  onDecodeError: ErrorPolicy;
  deadLetterTopic?: string;
}
export interface ProcessorNode extends NodeBase {
  kind: 'processor';
  processor: () => Processor<unknown, unknown>;
  stores: string[];
  onError: ErrorPolicy;
  deadLetterTopic?: string;
}
export interface SinkNode extends NodeBase {
  kind: 'sink';
  topic: string | ((record: StreamRecord<unknown>) => string);
  internal: boolean;
  value: Codec<unknown>;
  rekey?: (record: StreamRecord<unknown>) => string | null;
  partitions?: number;
}
export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

export interface StoreDefinition {
  name: string;
  value: Codec<unknown>;
  changelogTopic?: string;
  caching: boolean;
}

export interface SubTopology {
  id: number;
  nodes: TopologyNode[];
  sources: SourceNode[];
  stores: string[];
}

/** The built, immutable graph the runtime executes. */
export class Topology {
  constructor(
    readonly nodes: ReadonlyMap<string, TopologyNode>,
    readonly subTopologies: readonly SubTopology[],
    readonly stores: ReadonlyMap<string, StoreDefinition>,
    readonly globalTables: readonly GlobalTableDefinition<unknown>[],
  ) {}

  /** The real topic behind a source or sink; internal topics are named after the application. */
  topicName(applicationId: string, node: SourceNode | SinkNode): string | undefined {
    if (node.internal) return `${applicationId}-${node.topic}-repartition`;
    return typeof node.topic === 'string' ? node.topic : undefined;
  }

  changelogTopic(applicationId: string, store: string): string {
    return this.stores.get(store)?.changelogTopic ?? `${applicationId}-${store}-changelog`;
  }

  /** The graph as text, one sub-topology after another, as Kafka Streams prints it. */
  describe(applicationId = '<application.id>'): string {
    const lines = ['Topologies:'];
    for (const sub of this.subTopologies) {
      lines.push(
        `  Sub-topology: ${sub.id}${sub.stores.length ? ` (stores: ${sub.stores.join(', ')})` : ''}`,
      );
      for (const node of sub.nodes) {
        if (node.kind === 'source')
          lines.push(`    Source: ${node.name} (topic: ${this.topicName(applicationId, node)})`);
        if (node.kind === 'processor')
          lines.push(
            `    Processor: ${node.name}${node.stores.length ? ` (stores: ${node.stores.join(', ')})` : ''}`,
          );
        if (node.kind === 'sink')
          lines.push(
            `    Sink: ${node.name} (topic: ${this.topicName(applicationId, node) ?? '<chosen per record>'})`,
          );
        if (node.children.length) lines.push(`      --> ${node.children.join(', ')}`);
        if (node.parents.length) lines.push(`      <-- ${node.parents.join(', ')}`);
      }
    }
    for (const table of this.globalTables)
      lines.push(`  Global table: ${table.name} (topic: ${table.topic})`);
    return lines.join('\n');
  }
}

/**
 * Builds a topology as a list of named nodes. Every name is unique; parents must be declared
 * before their children. `build()` checks the graph and splits it into sub-topologies at
 * repartition topics.
 */
export class TopologyBuilder {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly stores = new Map<string, StoreDefinition>();
  private readonly tables: GlobalTableDefinition<unknown>[] = [];

  source<V>(name: string, options: SourceOptions<V>): this {
    const node: SourceNode = {
      kind: 'source',
      name,
      parents: [],
      children: [],
      topic: options.topic,
      internal: false,
      value: options.value as Codec<unknown>,
      onDecodeError: options.onDecodeError ?? 'dead-letter',
    };
    if (options.deadLetterTopic !== undefined) node.deadLetterTopic = options.deadLetterTopic;
    return this.add(node);
  }

  processor<VIn, VOut>(name: string, options: ProcessorOptions<VIn, VOut>): this {
    const node: ProcessorNode = {
      kind: 'processor',
      name,
      parents: [...options.parents],
      children: [],
      processor: options.processor as () => Processor<unknown, unknown>,
      stores: [...(options.stores ?? [])],
      onError: options.onError ?? 'dead-letter',
    };
    if (options.deadLetterTopic !== undefined) node.deadLetterTopic = options.deadLetterTopic;
    return this.add(node);
  }

  /** Re-keys the parent's records through the internal topic `<application id>-<name>-repartition`. */
  repartition<V>(name: string, options: RepartitionOptions<V>): this {
    const value = (options.value ?? codecs.json<V>()) as Codec<unknown>;
    const sink: SinkNode = {
      kind: 'sink',
      name: `${name}-sink`,
      parents: [options.parent],
      children: [],
      topic: name,
      internal: true,
      value,
      rekey: options.key as (record: StreamRecord<unknown>) => string | null,
    };
    if (options.partitions !== undefined) sink.partitions = options.partitions;
    this.add(sink);
    return this.add({
      kind: 'source',
      name,
      parents: [],
      children: [],
      topic: name,
      internal: true,
      value,
      onDecodeError: 'fail',
    });
  }

  sink<V>(name: string, options: SinkOptions<V>): this {
    return this.add({
      kind: 'sink',
      name,
      parents: [...options.parents],
      children: [],
      topic: options.topic as SinkNode['topic'],
      internal: false,
      value: options.value as Codec<unknown>,
    });
  }

  store<V>(name: string, options: StoreOptions<V>): this {
    if (this.stores.has(name))
      throw new ConfigError([{ setting: `stores.${name}`, message: 'declared twice' }]);
    const definition: StoreDefinition = {
      name,
      value: options.value as Codec<unknown>,
      caching: options.caching ?? true,
    };
    if (options.changelogTopic !== undefined) definition.changelogTopic = options.changelogTopic;
    this.stores.set(name, definition);
    return this;
  }

  globalTable<V>(name: string, options: { topic: string; value: Codec<V> }): this {
    this.tables.push({ name, topic: options.topic, value: options.value as Codec<unknown> });
    return this;
  }

  build(): Topology {
    const issues: { setting: string; message: string }[] = [];
    for (const node of this.nodes.values()) {
      if (node.kind === 'processor')
        for (const store of node.stores)
          if (!this.stores.has(store))
            issues.push({ setting: `nodes.${node.name}.stores`, message: `unknown store ${store}` });
    }
    const components = this.components();
    const subTopologies: SubTopology[] = components.map((nodes, id) => ({
      id,
      nodes,
      sources: nodes.filter((n): n is SourceNode => n.kind === 'source'),
      stores: [...new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))],
    }));
    const owners = new Map<string, number>();
    for (const sub of subTopologies)
      for (const store of sub.stores) {
        if (owners.has(store) && owners.get(store) !== sub.id)
          issues.push({ setting: `stores.${store}`, message: 'used by processors of two sub-topologies' });
        owners.set(store, sub.id);
      }
    if (issues.length > 0) throw new ConfigError(issues);
    return new Topology(new Map(this.nodes), subTopologies, new Map(this.stores), [...this.tables]);
  }

  private add(node: TopologyNode): this {
    const issues: { setting: string; message: string }[] = [];
    if (this.nodes.has(node.name))
      issues.push({ setting: `nodes.${node.name}`, message: 'name already used' });
    for (const parent of node.parents) {
      const p = this.nodes.get(parent);
      if (p === undefined)
        issues.push({ setting: `nodes.${node.name}.parents`, message: `unknown parent ${parent}` });
      else if (p.kind === 'sink')
        issues.push({ setting: `nodes.${node.name}.parents`, message: `${parent} is a sink` });
    }
    if (issues.length > 0) throw new ConfigError(issues);
    for (const parent of node.parents) this.nodes.get(parent)!.children.push(node.name);
    this.nodes.set(node.name, node);
    return this;
  }

  /** Connected components of the graph, in declaration order. */
  private components(): TopologyNode[][] {
    const seen = new Set<string>();
    const result: TopologyNode[][] = [];
    for (const start of this.nodes.values()) {
      if (seen.has(start.name)) continue;
      const component = new Set<string>();
      const stack = [start.name];
      while (stack.length > 0) {
        const name = stack.pop()!;
        if (component.has(name)) continue;
        component.add(name);
        const node = this.nodes.get(name)!;
        stack.push(...node.parents, ...node.children);
      }
      for (const name of component) seen.add(name);
      result.push([...this.nodes.values()].filter((n) => component.has(n.name)));
    }
    return result;
  }
}
