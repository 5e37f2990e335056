import type { ContainerInstanceRecord } from "../../../model/records.ts";

/**
 * Container instances: a cluster's share a partition (placement reads them all, with a
 * consistent Query). Those with an EC2 instance id are also found through the `byInstance`
 * index, live registrations first (ACTIVE, then DRAINING, then the rest), as re-registration
 * of a host looks for its current record.
 */
export const instancesOf = (cluster: string) => `INSTANCES#${cluster}`;

export const containerInstanceKey = (cluster: string, id: string) => ({ pk: instancesOf(cluster), sk: id });

export const instancesOfEc2Id = (cluster: string, ec2InstanceId: string) => `EC2#${cluster}#${ec2InstanceId}`;

const RANK: Record<string, string> = { ACTIVE: "0", DRAINING: "1" };

export const containerInstanceAttributes = (r: Omit<ContainerInstanceRecord, "version">) => {
  const status = r.instance.status ?? "ACTIVE";
  const ec2InstanceId = r.instance.ec2InstanceId;
  return {
    ...containerInstanceKey(r.cluster, r.id),
    status,
    ...(ec2InstanceId && {
      gsi3pk: instancesOfEc2Id(r.cluster, ec2InstanceId),
      gsi3sk: `${RANK[status] ?? "2"}#${r.id}`,
    }),
  };
};
