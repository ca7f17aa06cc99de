import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The installed kafkajs's source directory: the modules this connector replaces or wraps are found
 * under it. Resolving the path does not load kafkajs.
 */
export const KAFKAJS_SRC = join(dirname(require.resolve('kafkajs/package.json')), 'src');
