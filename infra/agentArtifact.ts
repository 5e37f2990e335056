import { join } from "node:path";
import { bundleAgent } from "./agentBundle.ts";

/**
 * The agent the hosts run, as this deploy builds it: bundled into one script (agentBundle.ts,
 * under SST's working directory), uploaded to a private bucket under a key named by its SHA-256,
 * so that a new agent is a new object and a new launch template version, and a host can check
 * what it downloaded. The hosts' role may read that one object (agentHosts.ts).
 */
const bundle = bundleAgent($cli.paths.root, join($cli.paths.work, "agent"));

export const agentArtifacts = new sst.aws.Bucket("AgentArtifacts");

const key = `agent/${bundle.sha256}.mjs`;

export const agentObject = new aws.s3.BucketObjectv2("AgentBundle", {
  bucket: agentArtifacts.name,
  key,
  source: $asset(bundle.file),
  contentType: "text/javascript",
});

/** What the user-data downloads and checks, and the ARN the hosts' role may read. */
export const agentDownload = {
  bucket: agentArtifacts.name,
  key: agentObject.key,
  sha256: bundle.sha256,
  arn: $interpolate`${agentArtifacts.arn}/${key}`,
};
