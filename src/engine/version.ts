import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The studio's own version, read from package.json so there is one place to bump it. */
export const APP_VERSION: string = (require('../../package.json') as { version: string }).version;
