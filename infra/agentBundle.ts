import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { NODE_BUNDLE } from "./nodeBundle.ts";

/** The agent's own entry point (no local mode in it), relative to the repository's root. */
export const AGENT_MAIN = "local/agentMain.ts";

/**
 * Left out of the bundle: ssh2's optional native crypto (dockerode's SSH transport, which the
 * agent never uses); without it, ssh2 falls back to its JavaScript.
 */
export const AGENT_EXTERNAL = ["*.node"];

/**
 * What the agent's build adds to NODE_BUNDLE (bench/bundleSizes.ts prints the same build's size):
 * dockerode's dependencies for image builds and SSH, which the agent never uses, replaced by
 * agentBundle/unused.cjs. From `root`: SST evaluates this file bundled, away from its folder.
 */
export const agentBuild = (root: string) => ({
  external: AGENT_EXTERNAL,
  alias: Object.fromEntries(
    ["@grpc/grpc-js", "@grpc/proto-loader", "protobufjs", "ssh2"].map((name) => [
      name,
      join(root, "infra", "agentBundle", "unused.cjs"),
    ]),
  ),
});

export interface AgentBundle {
  /** Where the bundle was written. */
  file: string;
  sha256: string;
  bytes: number;
}

/**
 * The agent as one script, built at deploy time for the hosts to download (agentArtifact.ts),
 * so that hosts run exactly the agent of this deployment and nothing is fetched from npm.
 * Synchronous: the object's key and the user-data need the hash as infra/ is evaluated.
 */
export function bundleAgent(root: string, outDir: string): AgentBundle {
  const result = buildSync({
    ...NODE_BUNDLE,
    entryPoints: [join(root, AGENT_MAIN)],
    ...agentBuild(root),
    write: false,
    logLevel: "silent",
  });
  const contents = result.outputFiles[0].contents;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "berth-agent.mjs");
  writeFileSync(file, contents);
  return { file, sha256: createHash("sha256").update(contents).digest("hex"), bytes: contents.byteLength };
}
