export * from './client-options.js';
export * from './topics.js';
