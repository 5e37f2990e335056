/**
 * What capacity providers' managed scaling needs of EC2 Auto Scaling (core/aws/autoScaling.ts):
 * the sweeper reads each provider's group, sets its desired capacity, and (managed termination
 * protection) protects the instances that hold tasks from scale-in. The groups are the users',
 * named by their capacity providers, so `*`, as ECS's own service-linked role has them.
 */
export const managedScalingPermissions = [
  { actions: ["autoscaling:DescribeAutoScalingGroups"], resources: ["*"] },
  { actions: ["autoscaling:SetDesiredCapacity", "autoscaling:SetInstanceProtection"], resources: ["*"] },
];
