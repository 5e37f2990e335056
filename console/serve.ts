import type { ConsoleAsset } from "./assets.ts";

/** The console's path prefix, on local mode's server and on the AWS HTTP API alike. */
export const CONSOLE_PREFIX = "/console/";

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * What a GET of `path` answers with the console's built assets, wherever they are served (local
 * mode's HTTP server, the console function on AWS): the page, the bundle, 404 for anything
 * else. The page is a client of the API on the same origin, so the Content-Security-Policy lets
 * it talk to nothing else: a key typed into it goes to this Berth only.
 */
export function consoleAnswer(path: string, assets: Map<string, ConsoleAsset>): ConsoleAnswer {
  if (path === "/console") return { status: 301, headers: { location: CONSOLE_PREFIX }, body: "" };
  const asset = path.startsWith(CONSOLE_PREFIX)
    ? assets.get(path.slice(CONSOLE_PREFIX.length) || "index.html")
    : undefined;
  if (!asset) return { status: 404, headers: { "content-type": "text/plain" }, body: "Not found\n" };
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
    body: asset.body,
  };
}

/** Whether a GET of `path` is the console's. */
export const isConsolePath = (path: string) => path === "/console" || path.startsWith(CONSOLE_PREFIX);
