// Chromium for the browser tests (test/browser): Debian's package, because Playwright's own
// browser download is blocked here. playwright-core drives it through `executablePath`.
import { existsSync } from 'node:fs';
import { SetupError, capture, info, once, run, step } from './util.mjs';

const DEFAULT_PATH = '/usr/bin/chromium';

/** Where the browser tests look for Chromium (the same rule as test/browser/harness.ts). */
export function chromiumPath() {
  return process.env.PRETEXT_CHROMIUM || DEFAULT_PATH;
}

/** The version line, or null when the binary is missing or does not start. */
function chromiumVersion(path) {
  if (!existsSync(path)) {
    return null;
  }
  const out = capture(path, ['--version']);
  return out ? out.trim().split('\n').pop() : null;
}

/** apt-get as root, or through sudo; a clear error where neither is possible. */
function aptGet(args) {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const hint =
    'Install Chromium yourself (Debian/Ubuntu: apt-get install chromium) or set PRETEXT_CHROMIUM to a Chromium binary.';
  if (process.getuid?.() === 0) {
    run('apt-get', args, { env, hint });
  } else if (capture('sudo', ['-n', 'true']) !== null) {
    run('sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', 'apt-get', ...args], { env, hint });
  } else {
    throw new SetupError(
      `Chromium is missing and this user cannot run apt-get (not root, no sudo). ${hint}`
    );
  }
}

export function setupChromium() {
  const path = chromiumPath();
  step(`Chromium for the browser tests (${path})`);
  once(
    'chromium',
    path,
    () => chromiumVersion(path) !== null,
    () => {
      if (chromiumVersion(path) !== null) {
        return;
      }
      if (process.env.PRETEXT_CHROMIUM) {
        throw new SetupError(
          `PRETEXT_CHROMIUM is set to ${path}, which does not run. Point it at a working Chromium, or unset it to install Debian's package.`
        );
      }
      if (capture('apt-get', ['--version']) === null) {
        throw new SetupError(
          'Chromium is missing and apt-get is not available. Install Chromium and set PRETEXT_CHROMIUM to its binary.'
        );
      }
      // A fresh container has empty package lists: refresh them only when chromium is unknown.
      if (capture('apt-cache', ['show', 'chromium']) === null) {
        info('refreshing the apt package lists (chromium is not known yet)');
        aptGet(['update']);
      }
      info('installing Debian chromium (about 100 MB, once)');
      aptGet(['install', '-y', '--no-install-recommends', 'chromium']);
      if (chromiumVersion(path) === null) {
        throw new SetupError(
          `apt-get installed chromium but ${path} does not run. Set PRETEXT_CHROMIUM to the Chromium binary.`
        );
      }
    }
  );
  info(chromiumVersion(path));
}
