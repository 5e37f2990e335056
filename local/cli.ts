import { parseArgs } from "node:util";
import { localOptions } from "./config.ts";
import { startLocal } from "./server.ts";

const USAGE = `Usage: berth local [--port N] [--data-dir DIR] [--no-agent]

  Runs the Berth control plane on this machine.
  Environment: BERTH_PORT, BERTH_DATA_DIR, BERTH_LOCAL_AGENT=0, BERTH_REGION, BERTH_ACCOUNT_ID,
               BERTH_ACCESS_KEY_ID / BERTH_SECRET_ACCESS_KEY, BERTH_HOST.`;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command !== "local") {
    console.error(USAGE);
    process.exit(command === undefined || command === "--help" || command === "help" ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: "string" },
      "data-dir": { type: "string" },
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
  const { accessKeyId, secretAccessKey, source } = local.credentials;
  console.log(`Berth control plane listening on ${local.url}
  data dir:    ${options.dataDir}
  credentials: ${source}
  local agent: ${options.agent ? "not built yet, so no containers are started" : "off"}

Point the AWS CLI or an SDK at it:
  export AWS_ACCESS_KEY_ID=${accessKeyId}
  export AWS_SECRET_ACCESS_KEY=${secretAccessKey}
  export AWS_DEFAULT_REGION=${options.partition.region}
  aws ecs create-cluster --cluster-name web --endpoint-url ${local.url}
`);
  const stop = async (signal: string) => {
    console.log(`\n${signal}: stopping Berth.`);
    await local.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`berth: ${error.message}`);
  process.exit(1);
});
