/** Runs a sampling function every interval until stopped; a failing sample is recorded, not thrown. */
export interface Periodic {
  stop(): Promise<void>;
  errors(): readonly string[];
}

export function every(intervalMs: number, task: () => Promise<unknown>): Periodic {
  const errors: string[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(task).catch((error: unknown) => {
      if (errors.length < 50) errors.push(error instanceof Error ? error.message : String(error));
    });
  }, intervalMs);
  let stopped: Promise<void> | undefined;
  return {
    errors: () => errors,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await running;
      })();
      return stopped;
    },
  };
}
