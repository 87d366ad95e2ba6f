export * from './policy-server-api.js';
export { actionHash, normaliseAction, type ActionKind } from './action-hash.js';
