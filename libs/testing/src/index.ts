export * from './infra/environment.js';
export * from './expect-eventually.js';
export * from './test-database.js';
export * from './test-kafka.js';
export * from './otlp-receiver.js';
export * from './scripted-openai.server.js';
export * from './infra/local-infra.js';
export * from './api-keys.js';
