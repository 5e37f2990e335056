import { invalidParameter } from "../protocol/errors.ts";
import type { Partition } from "./config.ts";

/** ECS's ARNs: arn:aws:ecs:REGION:ACCOUNT:RESOURCE. */
const base = (p: Partition) => `arn:aws:ecs:${p.region}:${p.accountId}`;

/**
 * A resource inside a cluster in ECS's long format (`type/cluster/id`), or in the old short one
 * (`type/id`) when the account setting for its type (taskLongArnFormat, ...) is disabled.
 */
const inCluster = (type: string, cluster: string, id: string, long: boolean) =>
  long ? `${type}/${cluster}/${id}` : `${type}/${id}`;

export const clusterArn = (p: Partition, name: string) => `${base(p)}:cluster/${name}`;
export const capacityProviderArn = (p: Partition, name: string) => `${base(p)}:capacity-provider/${name}`;
export const taskDefinitionArn = (p: Partition, family: string, revision: number) =>
  `${base(p)}:task-definition/${family}:${revision}`;
export const taskArn = (p: Partition, cluster: string, id: string, long = true) =>
  `${base(p)}:${inCluster("task", cluster, id, long)}`;
export const containerInstanceArn = (p: Partition, cluster: string, id: string, long = true) =>
  `${base(p)}:${inCluster("container-instance", cluster, id, long)}`;
export const serviceArn = (p: Partition, cluster: string, name: string, long = true) =>
  `${base(p)}:${inCluster("service", cluster, name, long)}`;
/**
 * The ARN ECS reports a service it cannot find under, given by name: the short form, without
 * the cluster (DescribeServices failures: "arn:aws:ecs:us-east-2:…:service/pawebapp-service is
 * MISSING", aws-actions/amazon-ecs-deploy-task-definition#312, long after long ARNs became the default).
 */
export const missingServiceArn = (p: Partition, name: string) => `${base(p)}:service/${name}`;
/** A container's ARN: long with its task's (`container/cluster/task/id`), else the old `container/id`. */
export const containerArn = (p: Partition, cluster: string, taskId: string, containerId: string, long = true) =>
  `${base(p)}:container/${long ? `${cluster}/${taskId}/` : ""}${containerId}`;

export interface ParsedArn {
  region: string;
  accountId: string;
  /** cluster, task, container-instance, service, task-definition, container */
  type: string;
  /** The path after `type/`, split on `/`. */
  parts: string[];
}

const ARN = /^arn:aws[a-z-]*:ecs:([^:]*):([^:]*):([a-z-]+)\/(.+)$/;

export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  return { region: m[1], accountId: m[2], type: m[3], parts: m[4].split("/") };
}

/** Last path segment of a reference that may be a bare id/name or an ARN. */
export const lastSegment = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

/** The family in a task definition ARN (`.../task-definition/FAMILY:REVISION`). */
export const taskDefinitionFamily = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1, arn.lastIndexOf(":"));

/** The cluster a request names (short name or ARN), `default` when it names none. */
export function clusterName(ref: string | undefined): string {
  if (ref === undefined || ref === "") return "default";
  if (ref.startsWith("arn:")) {
    const arn = parseArn(ref);
    if (arn?.type !== "cluster") throw invalidParameter(`Invalid cluster identifier: ${ref}`);
    return arn.parts.join("/");
  }
  return ref;
}
