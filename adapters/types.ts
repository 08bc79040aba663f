/** The plain message types live in the domain (core/channel.ts); adapters implement them. */
export * from '../core/channel.js';
