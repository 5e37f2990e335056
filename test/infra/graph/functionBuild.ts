import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative } from "node:path";
import { build } from "esbuild";
import { NODE_BUNDLE } from "../../../infra/nodeBundle.ts";
import { seal } from "./resourceFile.ts";

/**
 * The function build SST's CLI answers its components with (the `Runtime.Build` RPC; its Go
 * pkg/runtime/runtime.go and pkg/runtime/node/build.go), for Node handlers: the handler's file
 * bundled as infra/nodeBundle.ts says, to `<work>/artifacts/<function>-src/<dir>/<file>.mjs`, and
 * beside it `resource.enc`, the function's links sealed with the key the component passes in
 * (which the `sst` package opens at cold start, SST_KEY and SST_KEY_FILE). SST's component then
 * zips that directory itself (function.ts, createZipAsset): the zip is SST's own.
 */
export interface BuildInput {
  functionID: string;
  handler: string;
  encryptionKey: string;
  links: Record<string, unknown>;
  runtime: string;
}

export interface BuildResult {
  handler: string;
  out: string;
  errors: string[];
  sourcemaps: string[];
}

/** The extensions SST tries, in its order, for the file a handler names. */
const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** Packages SST never bundles (native code). */
const FORCE_EXTERNAL = ["sharp", "pg-native"];

export async function buildFunction(root: string, work: string, input: BuildInput): Promise<BuildResult> {
  if (!input.runtime.startsWith("nodejs")) throw new Error(`Only Node functions are built here: ${input.runtime}`);
  const base = input.handler.slice(0, input.handler.lastIndexOf("."));
  const file = EXTENSIONS.map((ext) => join(root, base + ext)).find((f) => existsSync(f));
  if (!file) throw new Error(`Handler not found: ${input.handler}`);

  // A Lambda handler has one dot, between the file and the export.
  const rel = relative(root, file);
  const path = join(dirname(rel), basename(rel, extname(rel)).replaceAll(".", "-"));
  const out = join(work, "artifacts", `${input.functionID}-src`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const result = await build({
    ...NODE_BUNDLE,
    entryPoints: [file],
    external: FORCE_EXTERNAL,
    outfile: join(out, `${path}.mjs`),
    write: true,
    logLevel: "silent",
  }).catch((error: { errors?: { text: string }[] }) => ({ errors: error.errors ?? [{ text: String(error) }] }));

  writeFileSync(join(out, "resource.enc"), seal(input.encryptionKey, input.links));
  return {
    handler: path + extname(input.handler),
    out,
    errors: result.errors.map((e) => e.text),
    sourcemaps: [],
  };
}
