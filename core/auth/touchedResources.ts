import { clusterArn, clusterName as namedCluster, parseArn } from "../model/arn.ts";
import type { Partition } from "../model/config.ts";
import { ecsModel } from "../protocol/model.ts";
import { isObject } from "../protocol/validate.ts";

/**
 * The resources a call touches, for authorization and the audit trail. Berth scopes keys by
 * cluster: a call that names a cluster (its `cluster` member, or `default` when absent, as ECS
 * defaults it) touches that cluster's ARN; CreateCluster the cluster it creates; DescribeClusters
 * each it names; the tag actions the cluster of the ARN they tag (or the ARN itself, a task
 * definition's). Calls that address no cluster (ListClusters, the task definition actions,
 * account settings) touch `*`, as IAM has them: only a `*` resource pattern allows those.
 * Application Auto Scaling's calls touch the cluster of each ECS service they name
 * (`service/<cluster>/<service>`), and `*` when they name none (a Describe of them all).
 * CloudWatch's PutMetricAlarm touches the cluster its ClusterName dimension names; its other
 * calls name alarms only, and touch `*`.
 */
export function resourcesOf(partition: Partition, action: string, input: unknown): string[] {
  const body = isObject(input) ? input : {};
  const operation = action.slice(action.indexOf(":") + 1);
  const cluster = (ref: unknown) => clusterArn(partition, clusterName(ref));
  if (action.startsWith("application-autoscaling:")) return scalingResources(partition, body);
  if (action.startsWith("cloudwatch:")) return alarmResources(partition, body);
  switch (operation) {
    case "CreateCluster":
      return [cluster(body.clusterName)];
    case "DescribeClusters":
      return Array.isArray(body.clusters) && body.clusters.length > 0
        ? body.clusters.map(cluster)
        : [cluster(undefined)];
    case "TagResource":
    case "UntagResource":
    case "ListTagsForResource":
      return [taggedResource(partition, body.resourceArn)];
  }
  // Berth's ListEvents without a cluster lists every cluster's events.
  if (action === "berth:ListEvents" && body.cluster === undefined) return ["*"];
  return hasClusterMember(action, operation) ? [cluster(body.cluster)] : ["*"];
}

/**
 * The cluster a call names, `default` when it names none. Berth's actions check their input
 * only when they run, after authorization: a member of the wrong type counts as absent here,
 * and the action then refuses it.
 */
export const clusterName = (ref: unknown): string => namedCluster(typeof ref === "string" ? ref : undefined);

/** Berth's own actions all take `cluster`; ECS's say so in the model. */
function hasClusterMember(action: string, operation: string): boolean {
  if (action.startsWith("berth:")) return true;
  const input = ecsModel.operations[operation]?.input;
  return input !== undefined && Object.hasOwn(ecsModel.shapes[input]?.members ?? {}, "cluster");
}

function taggedResource(partition: Partition, ref: unknown): string {
  const arn = typeof ref === "string" ? parseArn(ref) : undefined;
  if (!arn) return typeof ref === "string" ? ref : "*";
  if (arn.type === "cluster") return clusterArn(partition, arn.parts[0]);
  // Long-format ARNs of tasks, services and container instances start with their cluster.
  return arn.type === "task-definition" || arn.parts.length < 2 ? (ref as string) : clusterArn(partition, arn.parts[0]);
}

/** The clusters of the ECS services an Application Auto Scaling call names by resource id. */
function scalingResources(partition: Partition, body: Record<string, unknown>): string[] {
  const ids = Array.isArray(body.ResourceIds)
    ? body.ResourceIds
    : body.ResourceId === undefined
      ? []
      : [body.ResourceId];
  if (ids.length === 0) return ["*"];
  return [
    ...new Set(
      ids.map((id) => {
        const m = typeof id === "string" ? /^service\/([^/]+)\//.exec(id) : null;
        return m ? clusterArn(partition, m[1]) : "*";
      }),
    ),
  ];
}

/** The cluster whose service a PutMetricAlarm watches (its ClusterName dimension); `*` for the other alarm calls. */
function alarmResources(partition: Partition, body: Record<string, unknown>): string[] {
  const dimensions = Array.isArray(body.Dimensions) ? body.Dimensions : [];
  const cluster = dimensions.find((d) => isObject(d) && d.Name === "ClusterName");
  return isObject(cluster) && typeof cluster.Value === "string" ? [clusterArn(partition, cluster.Value)] : ["*"];
}
