import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

/**
 * Each function bundled as SST bundles a Node function (esbuild: ESM, Node platform, minified,
 * everything bundled, the AWS SDK included), and the bundle's size: a cold start loads all of
 * it, and a size that jumps means an import dragged in something it should not (local mode's
 * SQLite, the agent's Docker client).
 */
const ROOT = join(import.meta.dirname, "..");

export const FUNCTIONS = readdirSync(join(ROOT, "functions"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "shared")
  .map((d) => d.name)
  .sort();

export async function bundleSize(name: string): Promise<{ bytes: number; inputs: number }> {
  const result = await build({
    entryPoints: [join(ROOT, "functions", name, "index.ts")],
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node24",
    metafile: true,
    // CommonJS dependencies call require(); SST's ESM banner gives them one.
    banner: {
      js: "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);",
    },
    logLevel: "silent",
  });
  return { bytes: result.outputFiles[0].contents.byteLength, inputs: Object.keys(result.metafile.inputs).length };
}

// Run as a script (`npm run bench:bundles`), not when a test imports it.
if (process.argv[1] === import.meta.filename) {
  for (const name of FUNCTIONS) {
    const { bytes, inputs } = await bundleSize(name);
    console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  (${inputs} modules)`);
  }
}
