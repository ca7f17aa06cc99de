// Rewrites the configuration reference in README.md from the configuration schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { configReference } from '../app/config/index.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const start = '<!-- config-reference:start -->';
const end = '<!-- config-reference:end -->';
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
writeFileSync(path, `${before}\n${configReference()}\n${after}`);
