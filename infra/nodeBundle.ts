import type { BuildOptions } from "esbuild";

/**
 * How SST bundles a Node function (its pkg/runtime/node/build.go: esbuild, ESM for Node 24,
 * minified, names kept, `module` before `main`, everything bundled with the AWS SDK). The bundle
 * check (bench/bundleSizes.ts), the agent's bundle (agentBundle.ts) and the offline deploy's
 * function build (test/infra/graph/functionBuild.ts, whose zips the init test starts) build the
 * same way.
 */
export const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  format: "esm",
  platform: "node",
  target: "node24",
  mainFields: ["module", "main"],
  // CommonJS dependencies call require() and read __dirname; SST's ESM banner defines them.
  banner: {
    js: [
      "import { createRequire as topLevelCreateRequire } from 'module';",
      "const require = topLevelCreateRequire(import.meta.url);",
      'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
      "const __filename = topLevelFileUrlToPath(import.meta.url)",
      'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
    ].join("\n"),
  },
};
