import { parseArgs } from "node:util";
import { loadAgentConfig } from "../agent/config.ts";
import { startAgent } from "../agent/main.ts";

/** Stops `what` on the first SIGINT or SIGTERM, then exits. */
export function stopOnSignal(name: string, close: () => Promise<void>) {
  const stop = async (signal: string) => {
    console.log(`\n${signal}: stopping ${name}.`);
    await close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** `berth agent [--config FILE]`: the container-instance agent, until a signal stops it. */
export async function runAgent(args: string[], usage: string) {
  const { values } = parseArgs({ args, options: { config: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  const config = loadAgentConfig({ configFile: values.config });
  const agent = await startAgent(config);
  console.log(`Berth agent registered as ${agent.containerInstanceArn}
  cluster:   ${config.cluster}
  endpoint:  ${config.endpoint}
  data dir:  ${config.dataDir}`);
  stopOnSignal("the agent (containers keep running)", () => agent.close());
}
