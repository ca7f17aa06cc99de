export * from './client-options.js';
export * from './topics.js';
export * from './log-creator.js';
