import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BuildOptions, build, buildSync, type OutputFile } from "esbuild";
import { type ConsoleAsset, contentType } from "./assets.ts";

export type { ConsoleAsset };

const SOURCE = new URL("./src/", import.meta.url);

/** The page, one script (Preact, the AWS SDK's ECS client, the console's code) and its stylesheet. */
const OPTIONS: BuildOptions = {
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
};

function assetsOf(outputFiles: OutputFile[]): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  assets.set("index.html", {
    contentType: contentType("index.html"),
    body: readFileSync(new URL("index.html", SOURCE)),
  });
  for (const file of outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    assets.set(name, { contentType: contentType(name), body: file.contents });
  }
  return assets;
}

/**
 * Builds the console in memory. Nothing is written to disk, so there is no build output to
 * commit, ignore or let go stale: local mode builds it once, on first request (about a second).
 * Everything the page loads comes from here: it works offline, with no CDN.
 */
export async function buildConsole(): Promise<Map<string, ConsoleAsset>> {
  return assetsOf((await build(OPTIONS)).outputFiles ?? []);
}

/**
 * The same build written to `outDir`, synchronously (infra/ is evaluated synchronously), for a
 * deploy to ship beside the console function (infra/console.ts).
 */
export function writeConsole(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const [name, asset] of assetsOf(buildSync(OPTIONS).outputFiles ?? []))
    writeFileSync(join(outDir, name), asset.body);
  return outDir;
}
