import type { GraphFunction } from "./graph.ts";

/**
 * The environment Lambda starts a function's process in: the variables the deploy gives the
 * function (the graph's, SST's among them) over the ones Lambda sets itself for a Node runtime
 * (its "defined runtime environment variables"), with the function's code at LAMBDA_TASK_ROOT.
 * Nothing of the caller's environment leaks in, as nothing of the deployer's does on AWS. The
 * credentials are made up: an init must not need to call AWS.
 */
export function lambdaEnvironment(fn: GraphFunction, taskRoot: string, region: string): Record<string, string> {
  const logGroup = `/aws/lambda/${fn.name}`;
  return {
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    NODE_PATH: `/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:${taskRoot}`,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memory),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: "2026/12/02/[$LATEST]00000000000000000000000000000000",
    AWS_ACCESS_KEY_ID: "ASIAEXAMPLELAMBDAINIT",
    AWS_SECRET_ACCESS_KEY: "example-secret-of-the-function-role",
    AWS_SESSION_TOKEN: "example-session-token",
    ...fn.environment,
  };
}
