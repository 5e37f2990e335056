import type { ConsoleAsset } from "./assets.ts";

/** The console's path prefix, on local mode's server and on the AWS HTTP API alike. */
export const CONSOLE_PREFIX = "/console/";

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** The page's meta element that tells the sign-in form which region this Berth answers for. */
export const REGION_META = "berth-region";

/**
 * What a GET of `path` answers with the console's built assets, wherever they are served (local
 * mode's HTTP server, the console function on AWS): the page at `/console` and `/console/` (it
 * names its assets by absolute path, so either works; on AWS the route `/console/{proxy+}` does
 * not take `/console/`, the exact route `/console` does), the bundle, 404 for anything else. The page is a client of the API on the same origin, so the Content-Security-Policy lets
 * it talk to nothing else: a key typed into it goes to this Berth only. The page names the
 * serving Berth's region, which the sign-in form signs for unless the user says otherwise.
 */
export function consoleAnswer(path: string, assets: Map<string, ConsoleAsset>, region: string): ConsoleAnswer {
  const name =
    path === "/console"
      ? "index.html"
      : path.startsWith(CONSOLE_PREFIX)
        ? path.slice(CONSOLE_PREFIX.length) || "index.html"
        : undefined;
  const asset = name ? assets.get(name) : undefined;
  if (!asset) return { status: 404, headers: { "content-type": "text/plain" }, body: "Not found\n" };
  const body = name === "index.html" ? withRegion(asset.body, region) : asset.body;
  return {
    status: 200,
    headers: {
      "content-type": asset.contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "content-security-policy":
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    },
    body,
  };
}

function withRegion(page: Uint8Array, region: string): string {
  if (!/^[a-z0-9-]+$/.test(region)) throw new Error(`not a region: ${region}`);
  const meta = `<meta name="${REGION_META}" content="${region}" />`;
  return Buffer.from(page).toString("utf8").replace("<head>", `<head>\n    ${meta}`);
}

/** Whether a GET of `path` is the console's. */
export const isConsolePath = (path: string) => path === "/console" || path.startsWith(CONSOLE_PREFIX);
