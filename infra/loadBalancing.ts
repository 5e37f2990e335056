/**
 * What services with loadBalancers need of ELBv2 (core/aws/elbv2.ts): the API function checks
 * their target groups on CreateService and UpdateService, and so does the deploy function, which
 * calls UpdateService; the scheduler (each round) and the
 * sweeper's rounds register and deregister tasks' targets and read the delay and health.
 * ELBv2 does not scope these actions by resource type usefully for targets, so `*`, as ECS's own
 * service-linked role has them.
 */
export const describeTargetGroupsPermissions = [
  {
    actions: [
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetHealth",
    ],
    resources: ["*"],
  },
];

export const targetRegistrationPermissions = [
  ...describeTargetGroupsPermissions,
  {
    actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
    resources: ["*"],
  },
];
