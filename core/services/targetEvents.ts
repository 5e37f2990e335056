/**
 * The service events ECS writes about load balancer targets, in its words (the registration and
 * draining ones as users quote them, e.g. aws/containers-roadmap#804).
 */

export const registeredEvent = (service: string, count: number, targetGroupArn: string) =>
  `(service ${service}) registered ${count} targets in (target-group ${targetGroupArn})`;
export const deregisteredEvent = (service: string, count: number, targetGroupArn: string) =>
  `(service ${service}) deregistered ${count} targets in (target-group ${targetGroupArn})`;
/** Berth's own: a target group gone (deleted while the service named it) has no targets left to track. */
export const targetGroupGoneEvent = (service: string, targetGroupArn: string) =>
  `(service ${service}) could not find (target-group ${targetGroupArn}): its targets are forgotten.`;
export const drainingEvent = (service: string, count: number) =>
  `(service ${service}) has begun draining connections on ${count} tasks.`;
export const unhealthyTargetEvent = (
  service: string,
  instanceId: string,
  port: number,
  targetGroupArn: string,
  reason = "Health checks failed",
) =>
  `(service ${service}) (instance ${instanceId}) (port ${port}) is unhealthy in (target-group ${targetGroupArn}) due to (reason ${reason}).`;
