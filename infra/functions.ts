import { timingFromEnv } from "../functions/shared/timing.ts";

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
// A bad value fails the deploy here, with the functions' own message, not each invocation later.
timingFromEnv(timing);

/**
 * Only Lambda may assume a function's role. SST 4.17.1 means to add the account's root as a
 * trusted principal in `sst dev` alone (its live functions run locally as the role), but tests
 * `!dev` on an Output, always false, so every deployed role would trust the whole account.
 */
const lambdaOnlyTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

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
    transform: $dev ? undefined : { role: { assumeRolePolicy: lambdaOnlyTrust } },
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
