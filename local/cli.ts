import { parseArgs } from "node:util";
import { startLocalAgent } from "./agent.ts";
import { runAgent, stopOnSignal } from "./agentCommand.ts";
import { localOptions } from "./config.ts";
import { runKeys } from "./keysCommand.ts";
import { startLocal } from "./server.ts";
import { describeStore } from "./store.ts";

const USAGE = `Usage: berth local [--port N] [--data-dir DIR] [--no-agent]
                   [--store sqlite|dynamodb] [--dynamodb-endpoint URL] [--table NAME]
       berth agent [--config FILE]
       berth keys create|list|delete …   (berth keys --help)

  berth local  runs the Berth control plane on this machine, with an agent that runs tasks on
               this machine's Docker (unless --no-agent).
               Environment: BERTH_PORT, BERTH_DATA_DIR, BERTH_LOCAL_AGENT=0, BERTH_REGION,
               BERTH_ACCOUNT_ID, BERTH_ACCESS_KEY_ID / BERTH_SECRET_ACCESS_KEY, BERTH_HOST,
               BERTH_AGENT_HEARTBEAT_SECONDS, BERTH_STORE, BERTH_DYNAMODB_ENDPOINT, BERTH_TABLE.
  berth agent  runs the container-instance agent on this host against BERTH_ENDPOINT, configured
               like the ECS agent (/etc/ecs/ecs.config, ECS_CONFIG_FILE or --config, and the
               environment; see docs/agent.md). With BERTH_BOOTSTRAP_TOKEN it joins with the
               cluster's bootstrap token and then works with credentials of its own.
  berth keys   manages access keys on the running control plane, with the admin key.`;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === "local") return runLocal(rest);
  if (command === "agent") return runAgent(rest, USAGE);
  if (command === "keys") return runKeys(rest);
  console.error(USAGE);
  process.exit(command === undefined || command === "--help" || command === "help" ? 0 : 2);
}

async function runLocal(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      "data-dir": { type: "string" },
      store: { type: "string" },
      "dynamodb-endpoint": { type: "string" },
      table: { type: "string" },
      "no-agent": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const options = localOptions(values);
  const local = await startLocal(options);
  const localAgent = options.agent ? await startLocalAgent(local, options) : { status: "off (--no-agent)" };
  const { accessKeyId, secretAccessKey, source } = local.credentials;
  console.log(`Berth control plane listening on ${local.url}
  console:     ${local.consoleUrl} (sign in with the access key below)
  data dir:    ${options.dataDir}
  store:       ${describeStore(options.store, options.dataDir)}
  regions:     ${options.partition.region} by default; every other region a request is signed for, apart
  credentials: ${source}
  agent queues: SQS at ${local.sqsEndpoint}
  local agent: ${localAgent.status}

Point the AWS CLI or an SDK at it:
  export AWS_ACCESS_KEY_ID=${accessKeyId}
  export AWS_SECRET_ACCESS_KEY=${secretAccessKey}
  export AWS_DEFAULT_REGION=${options.partition.region}
  aws ecs create-cluster --cluster-name web --endpoint-url ${local.url}

Join hosts to cluster default with its bootstrap token (${local.bootstrapToken.source}):
  BERTH_ENDPOINT=${local.url} BERTH_BOOTSTRAP_TOKEN=${local.bootstrapToken.token} berth agent
Manage access keys: berth keys create --read-only | list | delete KEY_ID
`);
  stopOnSignal("Berth", async () => {
    await localAgent.agent?.close();
    await local.close();
  });
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`berth: ${error.message}`);
  process.exit(1);
});
