export * from './contracts.js';
export * from './subscription/index.js';
export * from './match/index.js';
