import { join } from 'node:path';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import type {
  CacheBudget,
  KeyValueStore,
  LevelDbOptions,
  MetricsPort,
  RestoreProgress,
  Transport,
} from '../../state/index.js';
import {
  CachingStore,
  ChangeLoggingStore,
  CodecStore,
  deleteCheckpoint,
  LevelDbStore,
  MeteredStore,
  readCheckpoint,
  restoreStore,
  writeCheckpoint,
} from '../../state/index.js';
import type { Topology } from '../builder.js';
import type { RecordCollector } from './record-collector.js';

interface OpenStore {
  name: string;
  changelogTopic: string;
  leveldb: LevelDbStore;
  cache: CachingStore<unknown> | undefined;
  outer: MeteredStore<unknown>;
  /** Next changelog offset reflected by the local store. */
  next: string;
}

export interface TaskStoresOptions {
  taskId: string;
  partition: number;
  storeNames: readonly string[];
  topology: Topology;
  applicationId: string;
  stateDir: string;
  transport: Transport;
  exactlyOnce: boolean;
  cacheMaxEntries: number;
  /** The bytes the store caches of this stream thread share; unbounded without one. */
  cacheBudget?: CacheBudget;
  /** LevelDB's memory per store. */
  leveldb?: LevelDbOptions;
  collector: RecordCollector;
  metrics: MetricsPort;
  onRestore?: (progress: RestoreProgress) => void;
}

/**
 * The stores of one task: LevelDB innermost, then changelogging, caching of decoded values (or
 * the codec alone) and metering. Opening
 * restores each store from its changelog, from the checkpoint when there is a usable one.
 */
export class TaskStores {
  private constructor(
    private readonly options: TaskStoresOptions,
    private readonly stores: Map<string, OpenStore>,
    private readonly checkpointPath: string,
    private readonly openMarkerPath: string,
  ) {}

  /** What the checkpoint file holds now, so an unchanged one is not written again. */
  private written: string | undefined;

  static async open(options: TaskStoresOptions): Promise<TaskStores> {
    const { taskId, partition, topology, applicationId, transport, exactlyOnce } = options;
    const directory = join(options.stateDir, applicationId, taskId);
    const checkpointPath = join(directory, '.checkpoint');
    const openMarkerPath = join(directory, '.open');
    await mkdir(directory, { recursive: true });
    // At least once, a task left open by its last owner (the process was killed, or its machine
    // went down) may hold LevelDB writes whose changelog records and outputs were never
    // acknowledged: kept, a step that drops what it has seen (versions) would drop those records
    // when they are read again, and their outputs would be lost. Such stores start over from their
    // changelogs, which hold only acknowledged writes, as after an unclean close in a running
    // process. Exactly once does the same through its checkpoint.
    const leftOpen = !exactlyOnce && (await exists(openMarkerPath));
    const checkpoint = leftOpen ? undefined : await readCheckpoint(checkpointPath);
    // Under exactly-once a store without a checkpoint may hold uncommitted writes: start it over.
    // The checkpoint is removed while the task runs and written again on a clean close.
    if (exactlyOnce || leftOpen) await deleteCheckpoint(checkpointPath);
    if (!exactlyOnce) await writeFile(openMarkerPath, '');
    const restored = options.metrics.gauge(
      'substream_store_restored_entries',
      'Entries restored into a store',
      ['store', 'task'],
    );
    const stores = new Map<string, OpenStore>();
    for (const name of options.storeNames) {
      const definition = topology.stores.get(name)!;
      const location = join(directory, name);
      const from = checkpoint?.[name];
      if (from === undefined && (exactlyOnce || leftOpen)) await LevelDbStore.wipe(location);
      const leveldb = await LevelDbStore.open(name, location, options.leveldb);
      const changelogTopic = topology.changelogTopic(applicationId, name);
      const result = await restoreStore({
        transport,
        changelogTopic,
        partition,
        from: from ?? 'earliest',
        store: leveldb,
        readCommitted: exactlyOnce,
        onProgress: (progress) => {
          restored.set({ store: name, task: taskId }, progress.restored);
          options.onRestore?.(progress);
        },
      });
      const logged = new ChangeLoggingStore(leveldb, {
        append: (key, value) =>
          options.collector.add({ topic: changelogTopic, partition, key: Buffer.from(key), value }),
      });
      const cache = definition.caching
        ? new CachingStore(logged, definition.value, options.cacheMaxEntries, options.cacheBudget)
        : undefined;
      const outer = new MeteredStore(cache ?? new CodecStore(logged, definition.value), options.metrics, {
        store: name,
        task: taskId,
      });
      stores.set(name, { name, changelogTopic, leveldb, cache, outer, next: result.nextOffset });
    }
    return new TaskStores(options, stores, checkpointPath, openMarkerPath);
  }

  get<V>(name: string): KeyValueStore<string, V> | undefined {
    return this.stores.get(name)?.outer as KeyValueStore<string, V> | undefined;
  }

  /** Moves cached writes into LevelDB and the collector (changelog records). */
  async flush(): Promise<void> {
    for (const store of this.stores.values()) await store.outer.flush();
  }

  /**
   * Hands cached writes to the collector (changelog records) now and to LevelDB in the background;
   * `written` settles once LevelDB has them, which the checkpoint must wait for.
   */
  async flushInBackground(): Promise<{ written: Promise<void> }> {
    const writes: Promise<void>[] = [];
    for (const store of this.stores.values()) {
      if (store.cache) {
        store.outer.report();
        writes.push(store.cache.flushInBackground());
      } else await store.outer.flush();
    }
    const written = Promise.all(writes).then(() => undefined);
    // Awaited by the commit that started it; this keeps an early failure from being reported unhandled.
    written.catch(() => undefined);
    return { written };
  }

  /** Records the changelog offsets the stores now reflect (after the collector's records were acknowledged). */
  async checkpoint(): Promise<void> {
    if (this.stores.size === 0) return;
    const { partition, collector, transport } = this.options;
    const offsets: Record<string, string> = {};
    for (const store of this.stores.values()) {
      if (this.options.exactlyOnce) {
        // Transactions hide record offsets; after the last commit the end offset is exact.
        store.next = (await transport.admin.endOffsets(store.changelogTopic)).get(partition) ?? store.next;
      } else {
        store.next = collector.acknowledged.get(`${store.changelogTopic}:${partition}`) ?? store.next;
      }
      offsets[store.name] = store.next;
    }
    // The changelog records acknowledged so far had their LevelDB writes started when they were
    // recorded (the changelog store records first); the checkpoint may name their offsets once
    // those writes ended, even when they were started by a later commit than this one.
    for (const store of this.stores.values()) await store.leveldb.settled();
    const text = JSON.stringify(offsets);
    if (text === this.written) return;
    await writeCheckpoint(this.checkpointPath, offsets);
    this.written = text;
  }

  /**
   * Closes every store; unflushed cached writes are dropped (a clean close flushes first).
   * `committed`: the task's last commit and checkpoint went through, so the next owner may trust
   * what the stores hold.
   */
  async close(committed: boolean): Promise<void> {
    for (const store of this.stores.values()) {
      store.cache?.discard();
      await store.outer.close();
    }
    if (committed) await rm(this.openMarkerPath, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cause;
  }
}
