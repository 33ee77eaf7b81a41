import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** CHROMIUM, else Debian's /usr/bin/chromium (installed by scripts/install-test-tools.sh). */
export function findChromium(): string {
  const candidates = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `Chromium not found (looked at ${candidates.join(', ')}): set CHROMIUM or install Debian's chromium (apt-get install chromium)`,
    );
  return found;
}

/** The flags every headless Chromium of the tests runs with (no sandbox in containers, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium driven by playwright-core; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
}
