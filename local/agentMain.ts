import { runAgent } from "./agentCommand.ts";

/**
 * The agent alone, as a program: what container-instance hosts run. infra/agentBundle.ts bundles
 * this file (and only what it imports: no local mode, no SQLite) into one script that the
 * deploy uploads and the hosts' user-data downloads; `berth agent` runs the same command.
 */
runAgent(process.argv.slice(2), "Usage: node berth-agent.mjs [--config FILE]").catch((error: Error) => {
  console.error(`berth agent: ${error.message}`);
  process.exit(1);
});
