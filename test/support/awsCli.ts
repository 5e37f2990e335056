import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { BerthProcess } from "./cli.ts";

/** Whether the real AWS CLI (`aws`) is on PATH. */
export const awsCliPresent = (): boolean =>
  (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, "aws"), constants.X_OK);
      return dir !== "";
    } catch {
      return false;
    }
  });

/** Where and as whom the AWS CLI calls: an endpoint and a key. */
export type AwsCliTarget = Pick<BerthProcess, "url" | "accessKeyId" | "secretAccessKey" | "region">;

/**
 * `aws ecs ARGS --endpoint-url URL` against a berth process with its key and nothing from ~/.aws;
 * resolves to stdout, rejects with the CLI's stderr.
 */
export const awsEcs = (berth: AwsCliTarget, args: string[]): Promise<string> => awsCli(berth, "ecs", args);

/**
 * The environment in which the AWS CLI calls as `target` and nothing else: its key and region,
 * nothing from ~/.aws or the instance metadata service, no pager.
 */
export const awsCliEnv = (target: Omit<AwsCliTarget, "url">): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: target.accessKeyId,
  AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
  AWS_DEFAULT_REGION: target.region,
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_PAGER: "",
});

/** `aws SERVICE ARGS --endpoint-url URL`, as awsEcs (any service: EventBridge, SQS, ... at a stand-in); `extraEnv` on top (AWS_DATA_PATH, say). */
export function awsCli(
  target: AwsCliTarget,
  service: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  const env = { ...own, ...awsCliEnv(target), ...extraEnv };
  return new Promise((resolve, reject) => {
    execFile(
      "aws",
      [service, ...args, "--endpoint-url", target.url],
      { env, timeout: 120_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`aws ${service} ${args.join(" ")} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}
