import type { z } from 'zod';
import { ConfigError } from '../state/index.js';

/** Parses a stage's settings with its schema, naming every bad setting at once under `prefix`. */
export function parseStageConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: string,
): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => ({
      setting: [prefix, ...i.path.map(String)].join('.'),
      message: i.message,
    })),
  );
}
