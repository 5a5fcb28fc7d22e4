export * from './effect-ledger.js';
export * from './effect-ledger.migration.js';
