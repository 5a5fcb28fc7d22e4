// Transitional: tools/settings-reference.ts (not the action's file) still imports this path.
// Once it imports './config/action.config.js' directly, delete this file.
export { ActionConfig } from './config/action.config.js';
