import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

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

const axeSource = () => readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * What axe-core finds against WCAG 2 A and AA on the page as it is now (labels, roles, names,
 * contrast…), one line per rule broken with the elements it names. Evaluated over the DevTools
 * protocol, which a page's Content-Security-Policy does not restrict (a <script> would be).
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource());
  return page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<Result> } }).axe;
    const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}
