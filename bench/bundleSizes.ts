import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { AGENT_MAIN, agentBuild } from "../infra/agentBundle.ts";
import { NODE_BUNDLE } from "../infra/nodeBundle.ts";

/**
 * Each function bundled as SST bundles a Node function (infra/nodeBundle.ts), and the bundle's
 * size: a cold start loads all of it, and a size that jumps means an import dragged in something
 * it should not (local mode's SQLite, the agent's Docker client). The agent's bundle, which the
 * hosts download at first boot (infra/agentArtifact.ts), is printed too.
 */
const ROOT = join(import.meta.dirname, "..");

export const FUNCTIONS = readdirSync(join(ROOT, "functions"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "shared")
  .map((d) => d.name)
  .sort();

async function bundledSize(entry: string, options: BuildOptions = {}) {
  const result = await build({
    ...NODE_BUNDLE,
    ...options,
    entryPoints: [join(ROOT, entry)],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { bytes: result.outputFiles[0].contents.byteLength, inputs: Object.keys(result.metafile.inputs).length };
}

export const bundleSize = (name: string) => bundledSize(`functions/${name}/index.ts`);

// Run as a script (`npm run bench:bundles`), not when a test imports it.
if (process.argv[1] === import.meta.filename) {
  const print = (name: string, { bytes, inputs }: { bytes: number; inputs: number }) =>
    console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  (${inputs} modules)`);
  for (const name of FUNCTIONS) print(name, await bundleSize(name));
  print("agent", await bundledSize(AGENT_MAIN, agentBuild(ROOT)));
}
