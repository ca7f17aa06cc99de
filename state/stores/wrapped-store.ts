import type { KeyValueStore } from '../types.js';

/** The lifecycle part every store wrapper passes through to the store it wraps (of values `I`). */
export abstract class WrappedStore<I = Buffer> {
  constructor(protected readonly inner: KeyValueStore<string, I>) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  approximateCount(): Promise<number> {
    return this.inner.approximateCount();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
