import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
} from "@aws-sdk/client-auto-scaling";
import { chunks } from "../events/entries.ts";
import type { Partition } from "../model/config.ts";
import type { AutoScalingGroups } from "../operations/autoScalingGroups.ts";

const MAX_PROTECTION_IDS_PER_CALL = 50;

/**
 * The AutoScalingGroups port over @aws-sdk/client-auto-scaling (the only module of core/ that
 * touches that SDK); needs `autoscaling:DescribeAutoScalingGroups`, `SetDesiredCapacity` and
 * `SetInstanceProtection`.
 */
export function autoScalingGroups(client: AutoScalingClient): AutoScalingGroups {
  return {
    async describe(name) {
      const answer = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
      const group = answer.AutoScalingGroups?.[0];
      if (!group) return undefined;
      return {
        desiredCapacity: group.DesiredCapacity ?? 0,
        minSize: group.MinSize ?? 0,
        maxSize: group.MaxSize ?? 0,
        instances: (group.Instances ?? []).map((i) => ({
          instanceId: i.InstanceId ?? "",
          lifecycleState: i.LifecycleState ?? "",
          protectedFromScaleIn: i.ProtectedFromScaleIn ?? false,
        })),
      };
    },
    async setDesiredCapacity(name, capacity) {
      await client.send(
        new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: capacity, HonorCooldown: false }),
      );
    },
    async setInstanceProtection(name, instanceIds, protectedFromScaleIn) {
      // SetInstanceProtection takes at most 50 instance ids a call.
      for (const ids of chunks(instanceIds, MAX_PROTECTION_IDS_PER_CALL)) {
        await client.send(
          new SetInstanceProtectionCommand({
            AutoScalingGroupName: name,
            InstanceIds: ids,
            ProtectedFromScaleIn: protectedFromScaleIn,
          }),
        );
      }
    },
  };
}

/**
 * Auto Scaling as configured: at `endpoint` (local mode's BERTH_AUTOSCALING_ENDPOINT), or the
 * region's own (on AWS). Undefined when neither: managed scaling then leaves groups alone.
 */
export function autoScalingGroupsAt(
  partition: Partition,
  options: { endpoint?: string; onAws?: boolean; credentials?: { accessKeyId: string; secretAccessKey: string } },
): AutoScalingGroups | undefined {
  if (!options.endpoint && !options.onAws) return undefined;
  return autoScalingGroups(
    new AutoScalingClient({
      region: partition.region,
      ...(options.endpoint && { endpoint: options.endpoint }),
      ...(options.credentials && { credentials: options.credentials }),
    }),
  );
}
