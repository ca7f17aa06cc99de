import type { z } from 'zod';
import { ConfigError } from './errors.js';

/** Parses with a component's zod schema; every problem is reported at once, naming its setting. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      setting: `${prefix}${issue.path.map(String).join('.') || '(root)'}`,
      message: issue.message,
    })),
  );
}
