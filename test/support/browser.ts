import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Browser tests run Debian's Chromium (`apt-get install chromium`) through playwright-core, which downloads nothing.
 * Missing Chromium fails the run under CI=true and skips the test elsewhere, with a message saying how to install it.
 */

export const CHROMIUM_PATH = process.env['LATCHKEY_CHROMIUM'] ?? '/usr/bin/chromium';

/** Where tests save screenshots; git-ignored. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (or set LATCHKEY_CHROMIUM)`;
}

/** The part of vitest's test context this helper uses. */
export interface SkippableContext {
  skip(note?: string): never;
}

let warned = false;

/** Fails under CI=true, skips otherwise, when Chromium is missing. */
export function requireChromium(ctx: SkippableContext): void {
  const missing = chromiumMissing();
  if (missing === undefined) return;
  if (process.env['CI'] === 'true') throw new Error(`${missing}. CI=true: browser tests must run, not skip.`);
  // The skip note is not shown by every reporter: say it once on stderr too.
  if (!warned) console.warn(`Skipping browser tests. ${missing}`);
  warned = true;
  ctx.skip(missing);
}

/**
 * Launches Chromium with an empty profile (a plain launch uses a fresh temporary user data dir), opens one page,
 * hands it to `fn`, and closes everything afterwards, whether `fn` passes or throws. `options` adjust the context
 * (a wider viewport, JavaScript off, clipboard permissions).
 */
export async function withPage<T>(
  ctx: SkippableContext,
  fn: (page: Page, context: BrowserContext) => Promise<T>,
  options: BrowserContextOptions = {},
): Promise<T> {
  requireChromium(ctx);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 800, height: 900 }, ...options });
    // Wide: on a loaded machine a page may wait on a child process (the CLI redeeming a code) for many seconds.
    context.setDefaultTimeout(30_000);
    try {
      const page = await context.newPage();
      return await fn(page, context);
    } finally {
      await context.close();
    }
  } finally {
    await browser.close();
  }
}

/** Saves a full-page screenshot to test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = `${ARTIFACTS_DIR}${name}.png`;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
