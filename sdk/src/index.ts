export * from './messageCodec.js';
export * from './accountId.js';
