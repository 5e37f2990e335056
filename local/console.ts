import type { IncomingMessage, ServerResponse } from "node:http";
import { buildConsole, type ConsoleAsset } from "../console/build.ts";
import { consoleAnswer, isConsolePath } from "../console/serve.ts";

/**
 * The web console at `/console/` (console/): its page and bundle, built in memory on the first
 * request and kept (about a second, once per server), answered as console/serve.ts says.
 */
export function consoleRoute(region: string, onError: (error: unknown) => void) {
  let assets: Promise<Map<string, ConsoleAsset>> | undefined;
  /** True when the request was the console's (and is answered). */
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (req.method !== "GET" || !isConsolePath(path)) return false;
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
    const answer = consoleAnswer(path, built, region);
    res.writeHead(answer.status, answer.headers).end(answer.body);
    return true;
  };
}
