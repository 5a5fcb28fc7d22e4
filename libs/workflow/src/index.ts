export * from './expression.js';
export * from './workflow-definition.js';
export * from './load-workflow.js';
export * from './rule-scope.js';
export * from './cron.js';
export * from './json-schema.js';
