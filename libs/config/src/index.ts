export * from './setting.decorator.js';
export * from './load-config.js';
