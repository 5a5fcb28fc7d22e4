export * from './api-decorators.js';
export * from './http-routes.js';
export * from './openapi-document.js';
export * from './serve-api-docs.js';
export * from './answer-schema.js';
