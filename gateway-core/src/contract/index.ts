export * from './bridge-contract.js';
export * from './wire-messages.js';
