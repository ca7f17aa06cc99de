export * from './ports.js';
export * from './operation-outcome.js';
export { buildHttpServer, type HttpServerOptions } from './server.js';
