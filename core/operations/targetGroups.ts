/**
 * The port to ELBv2 target groups that load-balanced services use (core/aws/elbv2.ts implements
 * it over @aws-sdk/client-elastic-load-balancing-v2). A target is an instance id and a port: the
 * host port Docker bound for the task's container (bridge and host network modes).
 */
export interface Target {
  id: string;
  port: number;
}

/** A target in one target group. */
export interface GroupTarget extends Target {
  targetGroupArn: string;
}

export interface TargetGroupInfo {
  arn: string;
  /** instance, ip, lambda or alb. */
  targetType: string;
  /** The load balancers whose listeners forward to it (none: it takes no traffic). */
  loadBalancerArns: string[];
}

/** A registered target and the state DescribeTargetHealth gives it (healthy, initial, draining, …). */
export interface TargetHealth extends Target {
  state: string;
  /** Why, when not healthy (ELBv2's description, e.g. "Health checks failed"). */
  reason?: string;
}

export interface TargetGroups {
  /** The target groups among `arns` that exist; the others are left out. */
  describe(arns: string[]): Promise<TargetGroupInfo[]>;
  /** The target group's `deregistration_delay.timeout_seconds` attribute. */
  deregistrationDelaySeconds(arn: string): Promise<number>;
  /** The targets registered in the target group now (draining ones included); undefined when it does not exist. */
  targets(arn: string): Promise<TargetHealth[] | undefined>;
  register(arn: string, targets: Target[]): Promise<void>;
  /** Idempotent: a target that is not registered is no error. */
  deregister(arn: string, targets: Target[]): Promise<void>;
}

export const targetKey = (t: Target) => `${t.id}:${t.port}`;
