/**
 * The port to EC2 Auto Scaling that managed scaling uses (core/aws/autoScaling.ts implements it
 * over @aws-sdk/client-auto-scaling): a group's sizes and instances, its desired capacity, and
 * its instances' protection from scale-in.
 */
export interface AutoScalingGroupState {
  desiredCapacity: number;
  minSize: number;
  maxSize: number;
  instances: { instanceId: string; lifecycleState: string; protectedFromScaleIn: boolean }[];
}

export interface AutoScalingGroups {
  /** The group by name; undefined when there is none. */
  describe(name: string): Promise<AutoScalingGroupState | undefined>;
  setDesiredCapacity(name: string, capacity: number): Promise<void>;
  setInstanceProtection(name: string, instanceIds: string[], protectedFromScaleIn: boolean): Promise<void>;
}
