import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; Playwright cannot download its own browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissingReason(): string | null {
  if (fs.existsSync(CHROMIUM_PATH)) return null;
  return `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Why a browser test file must skip, or null to run it. On CI a missing Chromium is an error (CI
 * installs it), never a silent skip; elsewhere the reason is printed.
 */
export function browserSkipReason(what: string): string | null {
  const missing = chromiumMissingReason();
  if (missing && process.env.CI) throw new Error(`${missing}: CI must run the browser tests`);
  if (missing) console.warn(`skipping ${what}: ${missing}`);
  return missing;
}
