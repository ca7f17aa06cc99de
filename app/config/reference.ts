import { configSchema } from './schema.js';

/** The README's configuration reference, made from the schema so the two never drift apart. */
export function configReference(): string {
  const rows = Object.entries(configSchema.shape).map(([name, field]) => {
    const json = field.toJSONSchema({ unrepresentable: 'any', io: 'input' }) as { default?: unknown };
    // A default behind a transform (the yes/no settings) is not in the JSON schema: parse it.
    const value = json.default ?? field.safeParse(undefined).data;
    const text = value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
    const def = text === '' ? '' : `\`${text}\``;
    return `| \`${name}\` | ${def} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
