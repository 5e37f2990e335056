import { readFileSync } from "node:fs";
import { build } from "esbuild";

/** One file of the built console: what a server answers for `/console/<name>`. */
export interface ConsoleAsset {
  contentType: string;
  body: Uint8Array;
}

const SOURCE = new URL("./src/", import.meta.url);

/**
 * Builds the console in memory: the page, one script (Preact, the AWS SDK's ECS client and the
 * console's code, for the browser) and its stylesheet. Nothing is written to disk, so there is no
 * build output to commit, ignore or let go stale: a server builds it once, on first request
 * (about a second). Everything the page loads comes from here: it works offline, with no CDN.
 */
export async function buildConsole(): Promise<Map<string, ConsoleAsset>> {
  const result = await build({
    entryPoints: { app: new URL("main.tsx", SOURCE).pathname },
    bundle: true,
    write: false,
    outdir: "/console",
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "silent",
  });
  const assets = new Map<string, ConsoleAsset>();
  assets.set("index.html", {
    contentType: "text/html; charset=utf-8",
    body: readFileSync(new URL("index.html", SOURCE)),
  });
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    const contentType = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    assets.set(name, { contentType, body: file.contents });
  }
  return assets;
}
