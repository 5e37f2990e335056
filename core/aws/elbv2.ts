import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Partition } from "../model/config.ts";
import type { TargetGroupInfo, TargetGroups } from "../operations/targetGroups.ts";

/** ELBv2's default deregistration delay, when a target group does not say. */
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

/**
 * The TargetGroups port over @aws-sdk/client-elastic-load-balancing-v2 (the only module of core/
 * that touches that SDK); needs `elasticloadbalancing:DescribeTargetGroups`,
 * `DescribeTargetGroupAttributes`, `DescribeTargetHealth`, `RegisterTargets` and `DeregisterTargets`.
 */
export function elbv2TargetGroups(client: ElasticLoadBalancingV2Client): TargetGroups {
  return {
    async describe(arns) {
      const found: TargetGroupInfo[] = [];
      // One at a time: DescribeTargetGroups fails the whole call when any of the ARNs is unknown.
      for (const arn of arns) {
        const answer = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })).catch(notFound);
        const group = answer?.TargetGroups?.[0];
        if (group) {
          found.push({
            arn,
            targetType: group.TargetType ?? "instance",
            loadBalancerArns: group.LoadBalancerArns ?? [],
          });
        }
      }
      return found;
    },
    async deregistrationDelaySeconds(arn) {
      const answer = await client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      const value = answer.Attributes?.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value;
      const seconds = Number(value);
      return value === undefined || !Number.isFinite(seconds) ? DEFAULT_DEREGISTRATION_DELAY_SECONDS : seconds;
    },
    async targets(arn) {
      const answer = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })).catch(notFound);
      if (!answer) return undefined;
      return (answer.TargetHealthDescriptions ?? []).flatMap((d) =>
        d.Target?.Id && d.Target.Port !== undefined
          ? [
              {
                id: d.Target.Id,
                port: d.Target.Port,
                state: d.TargetHealth?.State ?? "unavailable",
                reason: d.TargetHealth?.Description,
              },
            ]
          : [],
      );
    },
    async register(arn, targets) {
      if (targets.length === 0) return;
      await client.send(
        new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets.map((t) => ({ Id: t.id, Port: t.port })) }),
      );
    },
    async deregister(arn, targets) {
      // Each on its own: some implementations (moto) refuse a whole call for one target not registered.
      for (const t of targets) {
        await client
          .send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: t.id, Port: t.port }] }))
          .catch((error: Error) => {
            if (error.name !== "InvalidTarget" && error.name !== "InvalidTargetException") throw error;
          });
      }
    },
  };
}

const notFound = (error: Error) => {
  if (error.name === "TargetGroupNotFound" || error.name === "TargetGroupNotFoundException") return undefined;
  throw error;
};

/**
 * ELBv2 as configured: at `endpoint` (local mode's BERTH_ELBV2_ENDPOINT), or the region's own
 * (on AWS, `region` set). Undefined when neither: services then refuse loadBalancers.
 */
export function targetGroupsAt(
  partition: Partition,
  options: { endpoint?: string; onAws?: boolean; credentials?: { accessKeyId: string; secretAccessKey: string } },
): TargetGroups | undefined {
  if (!options.endpoint && !options.onAws) return undefined;
  return elbv2TargetGroups(
    new ElasticLoadBalancingV2Client({
      region: partition.region,
      ...(options.endpoint && { endpoint: options.endpoint }),
      ...(options.credentials && { credentials: options.credentials }),
    }),
  );
}
