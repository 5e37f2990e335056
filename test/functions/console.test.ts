import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConsole } from "../../console/assets.ts";
import { writeConsole } from "../../console/build.ts";
import { createConsoleHandler } from "../../functions/console/handler.ts";

/** The console function on AWS: the assets a deploy writes (infra/console.ts), answered as local mode answers them. */
const dir = mkdtempSync(join(tmpdir(), "berth-console-assets-"));
let handle: ReturnType<typeof createConsoleHandler>;
beforeAll(() => {
  writeConsole(fileURLToPath(new URL("../..", import.meta.url)), dir);
  const assets = readConsole(dir);
  handle = createConsoleHandler(() => assets, "eu-west-3");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (rawPath: string) =>
  handle({ rawPath, requestContext: { http: { method: "GET", path: rawPath } } } as APIGatewayProxyEventV2);

describe("the console function", () => {
  it("answers the page, naming the function's region for the sign-in form, its script and stylesheet, with the same-origin CSP", async () => {
    const page = await get("/console/");
    expect(page.statusCode).toBe(200);
    expect(page.headers?.["content-type"]).toMatch(/^text\/html/);
    expect(page.headers?.["content-security-policy"]).toContain("connect-src 'self'");
    expect(page.body).toContain('src="/console/app.js"');
    expect(page.body).toContain('<meta name="berth-region" content="eu-west-3" />');
    const script = await get("/console/app.js");
    expect(script.headers?.["content-type"]).toMatch(/^text\/javascript/);
    expect(script.body?.length).toBeGreaterThan(10_000);
    expect((await get("/console/app.css")).statusCode).toBe(200);
  });

  it("answers the page at /console too (the exact route on AWS), and 404 for anything else", async () => {
    expect(await get("/console")).toEqual(await get("/console/"));
    expect((await get("/console/main.tsx")).statusCode).toBe(404);
  });
});
