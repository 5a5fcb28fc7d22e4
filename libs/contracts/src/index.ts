import 'reflect-metadata';
export * from './topics.constant.js';
export * from './envelope/step-kind.js';
export * from './envelope/step-payloads.js';
export * from './envelope/step-envelope.js';
export * from './trigger/trigger-event.js';
export * from './ids/uuid-v7.js';
export * from './validation/decode.js';
export * from './schema/json-schema.js';
