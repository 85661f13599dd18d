/** Debian's Chromium driven by playwright-core (never a downloaded browser); absent outside CI, browser tests are skipped visibly. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI']) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it with apt-get install -y chromium`);
  process.stderr.write(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
