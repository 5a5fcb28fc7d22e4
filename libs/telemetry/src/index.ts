export * from './attributes.constant.js';
export * from './telemetry.js';
export * from './trace-context.js';
export * from './logger.js';
export * from './safe-error.js';
export * from './metrics.js';
export * from './gen-ai.constant.js';
