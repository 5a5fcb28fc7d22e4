export * from './tokens.js';
export * from './service.config.js';
export * from './kit.module.js';
export * from './run-service.js';
export * from './health.controller.js';
export * from './nest-logger.js';
export * from './auth.js';
export * from './rpc-error.filter.js';
