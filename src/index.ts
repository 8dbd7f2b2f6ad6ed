/** sluice: a single-host stream processing engine for Node.js. */
export const VERSION = '0.1.0';
