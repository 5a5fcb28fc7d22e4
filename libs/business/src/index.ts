export * from './business-database.js';
export * from './knowledge-search.js';
export * from './business-database.config.js';
