import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One file of the built console: what a server answers for `/console/<name>`. */
export interface ConsoleAsset {
  contentType: string;
  body: Uint8Array;
}

/** Where a deploy puts the built assets inside the console function's package (infra/console.ts). */
export const ASSETS_DIR = "console-assets";

/** The three kinds of file a build makes: the page, its script, its stylesheet. */
export const contentType = (name: string) =>
  name.endsWith(".html")
    ? "text/html; charset=utf-8"
    : name.endsWith(".css")
      ? "text/css; charset=utf-8"
      : "text/javascript; charset=utf-8";

/**
 * Assets a deploy wrote (console/build.ts writeConsole), read back by the console function at
 * cold start. Apart from build.ts so that the function's bundle carries no esbuild.
 */
export function readConsole(dir: string): Map<string, ConsoleAsset> {
  return new Map(
    readdirSync(dir).map((name) => [name, { contentType: contentType(name), body: readFileSync(join(dir, name)) }]),
  );
}
