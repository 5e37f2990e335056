import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium (.ci/run installs it): Playwright cannot download a browser here. */
export const CHROMIUM = process.env.BERTH_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Why a browser test cannot run here, or undefined when it can. */
export const browserUnavailable = () =>
  existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium, as .ci/run does)`;

/**
 * Headless chromium with a fresh profile, quiet on the network: no QUIC, no background or
 * component updates, no sync, so the only traffic is the test's. No sandbox: CI runs as root.
 */
export async function launchBrowser(): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "berth-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
}
