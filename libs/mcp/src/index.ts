export * from './mcp-server-spec.js';
export * from './mcp.config.js';
export * from './mcp-tool-error.js';
export * from './input-schema.js';
export * from './tool-output.js';
export * from './mcp-servers.js';
export * from './mcp.providers.js';
export * from './undeclared-servers.js';
