import { ProcessingError } from '../../state/index.js';

/**
 * Outputs of a processor held back so that they leave together. Forwarded one by one as
 * deliveries finish, outcomes would leave with whichever batch of the task ends next: a produce
 * request every few notifications, each costing more than the records in it. Held and forwarded
 * together on a punctuation, they leave a few times a second.
 *
 * The commit barrier stays safe: an offset is reported committable only once the outputs of every
 * record below it were forwarded. That holds because the processor counts a record done only after
 * its outputs were added here, so its barrier read just before a flush is covered by that flush.
 */
export class HeldOutputs<T> {
  private held: T[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private inFlush = 0;
  /** The barrier as of the last flush that completed. */
  private flushed: string | undefined;
  /** A flush failed: its outputs are lost, so no later barrier may be reported. */
  private failed = false;

  constructor(
    private readonly forward: (output: T) => Promise<void>,
    /** The processor's own commit barrier (next offset to commit), undefined when none is safe. */
    private readonly barrier: () => string | undefined,
  ) {}

  get size(): number {
    return this.held.length;
  }

  add(output: T): void {
    this.held.push(output);
  }

  /** Forwards everything held, after any flush still under way (outputs keep their order). */
  flush(): Promise<void> {
    const safe = this.barrier();
    const outputs = this.held;
    this.held = [];
    this.inFlush += 1;
    const run = this.flushing.then(async () => {
      try {
        if (this.failed) throw new ProcessingError('an earlier flush of held outputs failed');
        for (const output of outputs) await this.forward(output);
        this.flushed = safe;
      } catch (error) {
        this.failed = true;
        throw error;
      } finally {
        this.inFlush -= 1;
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  committableOffset(): string | undefined {
    if (this.failed) return this.flushed;
    // Nothing held or being forwarded: every output emitted so far is with the runtime already.
    return this.held.length === 0 && this.inFlush === 0 ? this.barrier() : this.flushed;
  }
}
