import { configSchema } from './schema.js';

/** The README's configuration reference, made from the schema so the two never drift apart. */
export function configReference(): string {
  const rows = Object.entries(configSchema.shape).map(([name, field]) => {
    const json = field.toJSONSchema({ unrepresentable: 'any', io: 'input' }) as { default?: unknown };
    const def =
      json.default === undefined
        ? ''
        : `\`${Array.isArray(json.default) ? json.default.join(',') : String(json.default)}\``;
    return `| \`${name}\` | ${def} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
