export * from './messageCodec.js';
export * from './accountId.js';
export * from './packet.js';
