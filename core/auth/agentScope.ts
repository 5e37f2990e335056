import { lastSegment } from "../model/arn.ts";
import { isObject } from "../protocol/validate.ts";
import type { Store } from "../store/port.ts";
import type { AccessPolicy } from "./records.ts";

import { clusterName } from "./touchedResources.ts";

type BootstrapPolicy = Extract<AccessPolicy, { kind: "bootstrap" }>;
type InstancePolicy = Extract<AccessPolicy, { kind: "instance" }>;

/**
 * A cluster's bootstrap key may register a new container instance in it and then fetch that
 * instance's own credentials (berth:GetAgentCredentials), nothing else: renewing an existing
 * registration is the instance's own credentials' business. That holds for a renewal by EC2
 * instance id too (a registration whose identity document names the EC2 instance of a live
 * container instance): with the token alone, anyone holding a copy of that host's document
 * could otherwise rewrite its resources and attributes and make a dead host look alive.
 */
export async function bootstrapAllows(
  store: Store,
  policy: BootstrapPolicy,
  action: string,
  input: unknown,
): Promise<boolean> {
  const body = isObject(input) ? input : {};
  if (clusterName(body.cluster) !== policy.cluster) return false;
  if (action === "ecs:RegisterContainerInstance") {
    if (body.containerInstanceArn != null) return false;
    const ec2InstanceId = documentInstanceId(body.instanceIdentityDocument);
    if (!ec2InstanceId) return true;
    const live = await store.findContainerInstanceByEc2Id(policy.cluster, ec2InstanceId);
    return !live || live.instance.status === "INACTIVE";
  }
  return action === "berth:GetAgentCredentials";
}

/** The EC2 instance id an identity document names, if it is one (the action itself rejects a malformed one). */
function documentInstanceId(document: unknown): string | undefined {
  if (typeof document !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(document);
    return isObject(parsed) && typeof parsed.instanceId === "string" && parsed.instanceId !== ""
      ? parsed.instanceId
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A container instance's credentials do its agent's work and only that: in its own cluster,
 * while it is registered (deregistering it revokes them, checked on every call), heartbeats,
 * DiscoverPollEndpoint and renewals for itself, ListTasks of its own tasks, DescribeTasks of
 * tasks placed on it, DescribeTaskDefinition (what its tasks run), and state and health reports
 * of tasks placed on it. Everything else is refused.
 */
export async function instanceAllows(
  store: Store,
  policy: InstancePolicy,
  action: string,
  input: unknown,
): Promise<boolean> {
  const body = isObject(input) ? input : {};
  const own = policy.containerInstanceId;
  if (action === "ecs:DescribeTaskDefinition") return registered(store, policy);
  if (clusterName(body.cluster) !== policy.cluster) return false;
  const isOwn = (ref: unknown) => typeof ref === "string" && lastSegment(ref) === own;
  let allowed: boolean;
  switch (action) {
    case "ecs:RegisterContainerInstance":
      allowed = isOwn(body.containerInstanceArn);
      break;
    case "ecs:DiscoverPollEndpoint":
    case "ecs:ListTasks":
    case "berth:Heartbeat":
      allowed = isOwn(body.containerInstance);
      break;
    case "ecs:DescribeTasks":
      allowed = Array.isArray(body.tasks) && (await allPlacedOn(store, policy, body.tasks));
      break;
    case "ecs:SubmitTaskStateChange":
    case "ecs:SubmitContainerStateChange":
    case "berth:SubmitTaskHealthChange":
      allowed = await allPlacedOn(store, policy, [body.task]);
      break;
    default:
      allowed = false;
  }
  return allowed && registered(store, policy);
}

async function registered(store: Store, policy: InstancePolicy): Promise<boolean> {
  const record = await store.getContainerInstance(policy.cluster, policy.containerInstanceId);
  return record !== undefined && record.instance.status !== "INACTIVE";
}

/** Every named task that exists is placed on the policy's instance (unknown ones come back as failures). */
async function allPlacedOn(store: Store, policy: InstancePolicy, refs: unknown[]): Promise<boolean> {
  for (const ref of refs) {
    if (typeof ref !== "string") return false;
    const task = await store.getTask(policy.cluster, lastSegment(ref));
    if (task && task.containerInstanceId !== policy.containerInstanceId) return false;
  }
  return true;
}
