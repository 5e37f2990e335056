import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

/** How local mode serves the web console (console/): its page and bundle, nothing else, unsigned. */
let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

describe("the console's assets", () => {
  it("answers the page at /console and /console/, which loads the bundle from the same origin", async () => {
    const bare = await fetch(`${berth.url}/console`, { redirect: "manual" });
    expect(bare.status).toBe(200);
    const page = await fetch(berth.consoleUrl);
    expect(await bare.text()).toBe(await page.clone().text());
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    // The key typed into the page can go nowhere but this server.
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="/console/app.js"');
    expect(html).toContain('<meta name="berth-region" content="us-east-1" />');
    const script = await fetch(`${berth.consoleUrl}app.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${berth.consoleUrl}app.css`)).status).toBe(200);
  });

  it("answers 404 for anything else under /console/, and leaves the API's routes alone", async () => {
    expect((await fetch(`${berth.consoleUrl}src/main.tsx`)).status).toBe(404);
    expect((await fetch(`${berth.consoleUrl}secrets.json`)).status).toBe(404);
    const api = await fetch(`${berth.url}/other`);
    expect((await api.json()).__type).toBe("UnknownOperationException");
  });
});
