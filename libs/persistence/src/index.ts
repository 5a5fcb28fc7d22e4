export * from './open-database.js';
export * from './persistence.config.js';
export * from './connection-budget.js';
export * from './in-process-postgres.js';
