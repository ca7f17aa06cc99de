// Lint rules, including the architecture's boundaries (DESIGN.md section 3):
// areas import each other only through their index.ts, in the allowed direction,
// and processors/ stays pure (no transport or storage package).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const areas = ['topology', 'processors', 'state', 'connectors', 'app'];
const transports = [
  'kafkajs',
  '@kafkajs/confluent-schema-registry',
  'amqplib',
  'level',
  'classic-level',
  'undici',
  'fastify',
  'node:http',
  'node:https',
  'node:net',
  'node:dgram',
  'node:dns',
  'http',
  'https',
  'net',
];

/** Restrictions for one area: which other areas it may import (index only) and which packages it may not. */
function boundaries(area, allowed, bannedPackages = []) {
  const others = areas.filter((a) => a !== area);
  const forbidden = others.filter((a) => !allowed.includes(a));
  const patterns = [];
  for (const other of allowed) {
    patterns.push({
      regex: `^(\\.\\./)+${other}/(?!index\\.js$).+`,
      message: `${area}/ may import ${other}/ only through ${other}/index.js.`,
    });
  }
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `${area}/ may not import ${forbidden.join(', ')} (DESIGN.md section 3).`,
    });
  }
  return {
    files: [`${area}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: bannedPackages.map((name) => ({
            name,
            message: `${area}/ is pure: inject a port instead of importing ${name}.`,
          })),
          patterns,
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  boundaries('state', []),
  boundaries('processors', ['state'], transports),
  boundaries('connectors', ['state']),
  boundaries('topology', ['state', 'connectors']),
  boundaries('app', ['topology', 'processors', 'state', 'connectors']),
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
