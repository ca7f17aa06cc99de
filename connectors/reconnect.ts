/**
 * Keeps a sink connected: the engine side of "report not connected, let the engine reconnect".
 * Whenever the sink says it is not connected, `connect()` is called again after an exponential
 * back-off with jitter; a success resets the back-off.
 */
import type { Sink } from './sink.js';

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How often a connected sink is checked. */
  checkEveryMs?: number;
  onError?: (err: unknown, attempt: number) => void;
  random?: () => number;
}

export interface ConnectionSupervisor {
  /** Stops supervising (the sink is not closed). Idempotent. */
  stop(): void;
}

export function superviseConnection(sink: Sink, options: ReconnectOptions = {}): ConnectionSupervisor {
  const {
    initialDelayMs = 200,
    maxDelayMs = 30_000,
    checkEveryMs = 100,
    onError,
    random = Math.random,
  } = options;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delay: number) => {
    if (!stopped) timer = setTimeout(() => void tick(), delay);
  };
  const tick = async () => {
    if (sink.isConnected()) {
      failures = 0;
      return schedule(checkEveryMs);
    }
    try {
      await sink.connect();
      failures = 0;
      schedule(checkEveryMs);
    } catch (err) {
      failures += 1;
      onError?.(err, failures);
      const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (failures - 1));
      schedule(base / 2 + random() * (base / 2));
    }
  };
  schedule(0);
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
