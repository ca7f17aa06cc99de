export * from './contracts.js';
export * from './subscription/index.js';
