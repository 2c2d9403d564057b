import { createRequire } from 'node:module';

// Not named `require`: the desktop build's ESM shim declares that name in the same bundle scope.
const requireHere = createRequire(import.meta.url);

/** The studio's own version, read from package.json so there is one place to bump it. */
export const APP_VERSION: string = (requireHere('../../package.json') as { version: string }).version;
