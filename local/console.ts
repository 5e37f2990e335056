import type { IncomingMessage, ServerResponse } from "node:http";
import { buildConsole, type ConsoleAsset } from "../console/build.ts";

const PREFIX = "/console/";

/**
 * The web console at `/console/` (console/): its page and bundle, built in memory on the first
 * request and kept. The page is a client of the API on the same origin, so the Content-Security-
 * Policy lets it talk to nothing else: a key typed into it goes to this server only.
 */
export function consoleRoute(onError: (error: unknown) => void) {
  let assets: Promise<Map<string, ConsoleAsset>> | undefined;
  /** True when the request was the console's (and is answered). */
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (req.method !== "GET" || (path !== "/console" && !path.startsWith(PREFIX))) return false;
    if (path === "/console") {
      res.writeHead(301, { location: PREFIX }).end();
      return true;
    }
    assets ??= buildConsole();
    let built: Map<string, ConsoleAsset>;
    try {
      built = await assets;
    } catch (error) {
      assets = undefined; // a later request tries again
      onError(error);
      res
        .writeHead(500, { "content-type": "text/plain" })
        .end("The console could not be built; see the server's log.\n");
      return true;
    }
    const asset = built.get(path.slice(PREFIX.length) || "index.html");
    if (!asset) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
      return true;
    }
    res.writeHead(200, {
      "content-type": asset.contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "content-security-policy":
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    });
    res.end(asset.body);
    return true;
  };
}
