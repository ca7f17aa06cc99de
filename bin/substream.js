#!/usr/bin/env node
// The package bin: runs the compiled CLI (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/app/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('substream is not built: run `npm run build` (npm ci does it through prepare).\n');
  process.exit(2);
}
// V8 settings first (dist/app/v8-flags.js says which and why), then the application.
const { applyRuntimeV8Flags } = await import(new URL('../dist/app/v8-flags.js', import.meta.url).href);
applyRuntimeV8Flags();
await import(cli);
