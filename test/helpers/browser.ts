// Launches the system Chromium through playwright-core for browser tests; never downloads a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Chromium flags for a quiet, reproducible headless run inside containers and CI. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium from `CHROMIUM_PATH` (default `/usr/bin/chromium`) with {@link CHROMIUM_ARGS}
 * plus any `options.args`. Playwright's `launch()` gives every browser a fresh temporary profile
 * (user-data-dir) and deletes it on `close()`, so tests never share state. Close the browser when done.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}; install it or set CHROMIUM_PATH (browsers are never downloaded)`,
    );
  }
  return chromium.launch({
    ...options,
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
