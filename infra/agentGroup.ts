import { declaredProvidersFromEnv } from "../core/deploy/declaredProviders.ts";
import { agentGroupSettings } from "./agentGroupSettings.ts";
import { launchTemplate } from "./agentHosts.ts";
import { MANAGED_GROUP_TAG } from "./autoScaling.ts";
import { ec2RequiredTag } from "./ec2Identity.ts";
import { agentCluster } from "./parameters.ts";

/**
 * The hosts' Auto Scaling group, and the Berth capacity provider that sizes it, when the deploy
 * asks for them (agentGroupSettings.ts: BERTH_AGENT_GROUP_MAX_SIZE). The group launches the
 * hosts' template (agentHosts.ts) at its default version, which each deploy moves to the newest
 * agent. Its desired capacity is Berth's to set (managed scaling, in the sweeper): the group is
 * created at its minimum and the deploy never sets it again.
 *
 * Tags: MANAGED_GROUP_TAG, without which the sweeper may not resize it (autoScaling.ts); the
 * EC2 identity check's tag, propagated to the instances (the template tags them too); Auto
 * Scaling adds `aws:autoscaling:groupName` to each instance, which the agent reads from IMDS and
 * registers as the group the instance belongs to. New instances are protected from scale-in, as
 * ECS's managed termination protection wants; the sweeper lifts it from registered idle ones.
 *
 * The provider is Berth's, in Berth's store, so no AWS resource can declare it: the sweeper is
 * given it (BERTH_CAPACITY_PROVIDERS) and makes it exist, with the agents' cluster, at each
 * sweep (core/deploy/declaredProviders.ts).
 */
const settings = agentGroupSettings(process.env);

const availabilityZones =
  settings && settings.subnets.length === 0 ? aws.getAvailabilityZonesOutput({ state: "available" }).names : undefined;

export const agentGroup = settings
  ? new aws.autoscaling.Group("AgentGroup", {
      minSize: settings.minSize,
      maxSize: settings.maxSize,
      ...(settings.subnets.length > 0 ? { vpcZoneIdentifiers: settings.subnets } : { availabilityZones }),
      launchTemplate: { id: launchTemplate.id, version: "$Default" },
      protectFromScaleIn: true,
      tags: [
        { key: MANAGED_GROUP_TAG, value: "true", propagateAtLaunch: false },
        ...(ec2RequiredTag
          ? [{ key: ec2RequiredTag.key, value: ec2RequiredTag.value ?? "", propagateAtLaunch: true }]
          : []),
      ],
    })
  : undefined;

/** The sweeper's BERTH_CAPACITY_PROVIDERS: the group's provider, with managed scaling and termination protection. */
export const declaredProvidersEnvironment: Record<string, $util.Input<string>> = settings && agentGroup
  ? {
      BERTH_CAPACITY_PROVIDERS: agentGroup.arn.apply((arn) => {
        const value = JSON.stringify([
          {
            name: settings.providerName,
            cluster: agentCluster,
            autoScalingGroupProvider: {
              autoScalingGroupArn: arn,
              managedScaling: { status: "ENABLED", targetCapacity: settings.targetCapacity },
              managedTerminationProtection: "ENABLED",
            },
          },
        ]);
        // The sweeper's own reading: a value it would refuse fails the deploy here.
        declaredProvidersFromEnv({ BERTH_CAPACITY_PROVIDERS: value });
        return value;
      }),
    }
  : {};
