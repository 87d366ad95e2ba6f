export * from './bridge-contract.js';
export * from './sql-schemas.js';
export * from './terminal-schemas.js';
export * from './wire-messages.js';
export * from './approvals-schemas.js';
export * from './sessions-schemas.js';
export * from './local-ports-schemas.js';
export * from './recordings-schemas.js';
