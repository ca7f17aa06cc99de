export * from './contracts.js';
export * from './deliver/index.js';
