/**
 * What capacity providers' managed scaling needs of EC2 Auto Scaling (core/aws/autoScaling.ts):
 * the sweeper reads each provider's group, sets its desired capacity, and (managed termination
 * protection) protects the instances that hold tasks from scale-in. The groups are the users',
 * named by their capacity providers: reading is on `*` (DescribeAutoScalingGroups takes no
 * resource), changing is only on groups tagged MANAGED_GROUP_TAG = `true`, so a capacity
 * provider named after someone else's group cannot resize it.
 */
export const MANAGED_GROUP_TAG = "berth:managed";

export const managedScalingPermissions = [
  { actions: ["autoscaling:DescribeAutoScalingGroups"], resources: ["*"] },
  {
    actions: ["autoscaling:SetDesiredCapacity", "autoscaling:SetInstanceProtection"],
    resources: ["*"],
    conditions: [{ test: "StringEquals", variable: `autoscaling:ResourceTag/${MANAGED_GROUP_TAG}`, values: ["true"] }],
  },
];
