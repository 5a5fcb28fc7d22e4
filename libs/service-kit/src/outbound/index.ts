export * from './secret-store.js';
export * from './allowed-hosts.js';
export * from './outbound.config.js';
export * from './outbound-http.js';
export * from './deployment-problems.js';
export * from './outbound.providers.js';
export * from './endpoints.js';
