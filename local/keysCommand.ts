import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createControlPlane } from "../agent/controlPlane.ts";
import type { AccessPolicy, CreateAccessKeyResponse, ListAccessKeysResponse } from "../core/actions/berth/shapes.ts";
import { loadLocalAccessKey } from "./credentials.ts";

export const KEYS_USAGE = `Usage: berth keys create (--admin | --read-only | --bootstrap CLUSTER |
                         --actions ecs:RunTask,ecs:Describe* --resources arn:aws:ecs:*:*:cluster/web)
                        [--description TEXT]
       berth keys list
       berth keys delete ACCESS_KEY_ID
  Options: --endpoint URL (BERTH_ENDPOINT; http://127.0.0.1:BERTH_PORT by default)
           --data-dir DIR (BERTH_DATA_DIR; .berth): where the admin key is read from, unless
           BERTH_ACCESS_KEY_ID / BERTH_SECRET_ACCESS_KEY are set.
  Talks to the running control plane with the admin key, through Berth's key actions.`;

/**
 * `berth keys`: access key management from the command line. It calls the running control
 * plane (CreateAccessKey, ListAccessKeys, DeleteAccessKey) rather than the store, so that the
 * one code path that seals secrets and checks policies serves the CLI and API clients alike.
 */
export async function runKeys(args: string[], env = process.env): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      endpoint: { type: "string" },
      "data-dir": { type: "string" },
      admin: { type: "boolean" },
      "read-only": { type: "boolean" },
      bootstrap: { type: "string" },
      actions: { type: "string" },
      resources: { type: "string" },
      description: { type: "string" },
      help: { type: "boolean" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(KEYS_USAGE);
    return;
  }
  const dataDir = resolve(values["data-dir"] ?? env.BERTH_DATA_DIR ?? ".berth");
  if (!env.BERTH_ACCESS_KEY_ID && !existsSync(join(dataDir, "credentials.json"))) {
    throw new Error(`No admin key: ${join(dataDir, "credentials.json")} does not exist. Start \`berth local\` first.`);
  }
  const { accessKeyId, secretAccessKey } = loadLocalAccessKey(dataDir, env);
  const cp = createControlPlane({
    endpoint: values.endpoint ?? env.BERTH_ENDPOINT ?? `http://127.0.0.1:${env.BERTH_PORT ?? "7400"}`,
    region: env.BERTH_REGION ?? "us-east-1",
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    if (command === "create") {
      const { accessKey } = await cp.berth<CreateAccessKeyResponse>("CreateAccessKey", {
        policy: policyFromFlags(values),
        description: values.description,
      });
      console.log(`Created ${accessKey.accessKeyId} (${describePolicy(accessKey.policy)}). The secret is shown only now:
  AWS_ACCESS_KEY_ID=${accessKey.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${accessKey.secretAccessKey}`);
    } else if (command === "list") {
      let nextToken: string | undefined;
      do {
        const page: ListAccessKeysResponse = await cp.berth("ListAccessKeys", { nextToken });
        for (const key of page.accessKeys) {
          const created = new Date(key.createdAt * 1000).toISOString();
          console.log(`${key.accessKeyId}  ${created}  ${describePolicy(key.policy)}  ${key.description ?? ""}`);
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } else if (command === "delete" && rest.length === 1) {
      await cp.berth("DeleteAccessKey", { accessKeyId: rest[0] });
      console.log(`Deleted ${rest[0]}; it stops working at once.`);
    } else {
      throw new Error(KEYS_USAGE);
    }
  } finally {
    cp.destroy();
  }
}

function policyFromFlags(values: {
  admin?: boolean;
  "read-only"?: boolean;
  bootstrap?: string;
  actions?: string;
  resources?: string;
}): AccessPolicy {
  if (values.admin) return { kind: "admin" };
  if (values["read-only"]) return { kind: "read-only" };
  if (values.bootstrap) return { kind: "bootstrap", cluster: values.bootstrap };
  if (values.actions && values.resources) {
    return { kind: "scoped", actions: values.actions.split(","), resources: values.resources.split(",") };
  }
  throw new Error("Say what the key may do: --admin, --read-only, --bootstrap CLUSTER, or --actions with --resources.");
}

export function describePolicy(policy: AccessPolicy): string {
  switch (policy.kind) {
    case "scoped":
      return `scoped: ${policy.actions.join(",")} on ${policy.resources.join(",")}`;
    case "bootstrap":
      return `bootstrap: cluster ${policy.cluster}`;
    case "instance":
      return `instance: ${policy.cluster}/${policy.containerInstanceId}`;
    default:
      return policy.kind;
  }
}
