import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, buildSync, type OutputFile } from "esbuild";
import { type ConsoleAsset, contentType } from "./assets.ts";

export type { ConsoleAsset };

/** The app's sources in the repository at `root`. */
const sourceIn = (root: string) => join(root, "console", "src");

/** The page, one script (Preact, the AWS SDK's ECS client, the console's code) and its stylesheet. */
const options = (source: string): BuildOptions => ({
  entryPoints: { app: join(source, "main.tsx") },
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

function assetsOf(source: string, outputFiles: OutputFile[]): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  assets.set("index.html", { contentType: contentType("index.html"), body: readFileSync(join(source, "index.html")) });
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
  // The repository this file is in: local mode runs the sources (tsx). A deploy names its root
  // instead (writeConsole), since SST bundles infra/ elsewhere and import.meta is not this file's there.
  const source = sourceIn(fileURLToPath(new URL("..", import.meta.url)));
  return assetsOf(source, (await build(options(source))).outputFiles ?? []);
}

/**
 * The same build of the repository at `root`, written to `outDir`, synchronously (infra/ is
 * evaluated synchronously), for a deploy to ship beside the console function (infra/console.ts).
 */
export function writeConsole(root: string, outDir: string): string {
  const source = sourceIn(root);
  mkdirSync(outDir, { recursive: true });
  for (const [name, asset] of assetsOf(source, buildSync(options(source)).outputFiles ?? [])) {
    writeFileSync(join(outDir, name), asset.body);
  }
  return outDir;
}
