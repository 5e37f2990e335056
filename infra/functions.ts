/**
 * What every Berth function shares: the runtime the project targets (Node 24, as package.json's
 * engines), Graviton (cheaper per GB-second), and Powertools' settings. `handler` names
 * functions/<name>/index.ts, whose `handler` export wraps the factory in handler.ts beside it.
 * `link` is the whole of what a function may touch: its IAM policy and its `Resource` values
 * both come from it.
 */
export const partition = {
  accountId: aws.getCallerIdentityOutput({}).accountId,
  region: aws.getRegionOutput({}).name,
};

/**
 * Timing settings a deploy may pass on to every function, under local mode's names (unset: the
 * defaults, a 10 s heartbeat and 120 s before a lost instance's tasks are replaced).
 */
const TIMING_SETTINGS = ["BERTH_AGENT_HEARTBEAT_SECONDS", "BERTH_LOST_INSTANCE_GRACE_SECONDS"];
const timing: Record<string, string> = Object.fromEntries(
  TIMING_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
);

export function berthFunction(
  name: string,
  link: unknown[],
  environment: Record<string, $util.Input<string>> = {},
): sst.aws.FunctionArgs {
  return {
    handler: `functions/${name}/index.handler`,
    runtime: "nodejs24.x",
    architecture: "arm64",
    memory: "512 MB",
    timeout: "30 seconds",
    link,
    environment: {
      POWERTOOLS_SERVICE_NAME: `berth-${name}`,
      POWERTOOLS_METRICS_NAMESPACE: "Berth",
      BERTH_ACCOUNT_ID: partition.accountId,
      BERTH_REGION: partition.region,
      ...timing,
      ...environment,
    },
  };
}
