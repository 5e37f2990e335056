import { join } from "node:path";

/** The preload that routes AWS's hostnames (awsHosts.mjs beside this file). */
export const AWS_HOSTS_PRELOAD = join(import.meta.dirname, "awsHosts.mjs");

/**
 * The environment a process needs to reach the deployment's AWS by name (awsHosts.mjs): each
 * service's regional hostname → the stand-in playing it, and the API's own hostname → the front
 * door. Only the services Berth's code calls are there; any other AWS host fails loudly.
 */
export function awsHosts(s: {
  region: string;
  moto: string;
  dynamodb: string;
  api: [deployedUrl: string, localUrl: string];
}) {
  const hosts: Record<string, string> = {
    [`dynamodb.${s.region}.amazonaws.com`]: s.dynamodb,
    [`streams.dynamodb.${s.region}.amazonaws.com`]: s.dynamodb,
    [new URL(s.api[0]).host]: s.api[1],
  };
  for (const service of ["sqs", "events", "ssm", "ec2", "s3"]) hosts[`${service}.${s.region}.amazonaws.com`] = s.moto;
  return networkEnvironment(hosts);
}

export const networkEnvironment = (hosts: Record<string, string>): Record<string, string> => ({
  NODE_OPTIONS: `--import ${AWS_HOSTS_PRELOAD}`,
  BERTH_TEST_AWS_HOSTS: JSON.stringify(hosts),
});
