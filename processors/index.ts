export * from './contracts.js';
export * from './subscription/index.js';
export * from './match/index.js';
export * from './deliver/index.js';
// Decode, versions and notify stages.
export * from './decode/index.js';
export * from './versions/index.js';
export * from './notify/index.js';
