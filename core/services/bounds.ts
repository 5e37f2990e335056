/**
 * ECS's deployment arithmetic. minimumHealthyPercent rounds up and maximumPercent rounds down, so
 * a rollout never goes below the healthy floor nor above the ceiling:
 * desired 3 at 50 % keeps ceil(1.5) = 2 healthy; at 150 % runs at most floor(4.5) = 4.
 */
export function deploymentBounds(desiredCount: number, minimumHealthyPercent = 100, maximumPercent = 200) {
  return {
    minHealthy: Math.ceil((desiredCount * minimumHealthyPercent) / 100),
    maxRunning: Math.floor((desiredCount * maximumPercent) / 100),
  };
}

/** Failed tasks after which the deployment circuit breaker trips: half the desired count, within [10, 200]. */
export const circuitBreakerThreshold = (desiredCount: number) =>
  Math.min(200, Math.max(10, Math.ceil(desiredCount * 0.5)));

/** How long to wait before starting tasks again after `failures` consecutive failed starts (ECS caps it at 15 min). */
export function startBackoffMs(failures: number, baseMs = 10_000, capMs = 15 * 60_000) {
  if (failures <= 0) return 0;
  return Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 20));
}

/**
 * How long a new task must have been healthy before an old one may stop for it (Nomad's
 * min_healthy_time): the round after that comes with the next change or the next sweep.
 */
export const SETTLE_MS = 3_000;
