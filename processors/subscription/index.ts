export * from './extensions.js';
export * from './model.js';
export * from './normalize.js';
