/**
 * What asks for a deployment (pure): an EventBridge event, read into one of two triggers.
 *
 * - A Berth deployment request, `source: berth.deployments`, with detail
 *   `{cluster?, service, taskDefinition}` (roll to that task definition) or
 *   `{cluster?, service, image, container?}` (a new revision of the service's task definition
 *   with that image in `container`, which may be left out when there is one container).
 * - ECR's "ECR Image Action" event for a successful PUSH: every service whose task definition
 *   uses the repository and tag rolls to the pushed image.
 */
export type DeployTrigger =
  | { kind: "request"; cluster: string; service: string; taskDefinition: string }
  | { kind: "request"; cluster: string; service: string; image: string; container?: string }
  | { kind: "imagePush"; repository: string; tag: string; digest: string };

export const DEPLOYMENT_SOURCE = "berth.deployments";

export interface EventBridgeEvent {
  source?: string;
  "detail-type"?: string;
  account?: string;
  region?: string;
  detail?: unknown;
}

export class DeployTriggerError extends Error {
  override name = "DeployTriggerError";
}

/** The trigger an event carries; undefined for an event that asks for nothing (an ECR DELETE, say). */
export function triggerOf(event: EventBridgeEvent): DeployTrigger | undefined {
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  if (event.source === "aws.ecr" && event["detail-type"] === "ECR Image Action") {
    if (detail["action-type"] !== "PUSH" || detail.result !== "SUCCESS" || typeof detail["image-tag"] !== "string")
      return undefined;
    const repository = `${event.account}.dkr.ecr.${event.region}.amazonaws.com/${text(detail, "repository-name")}`;
    return { kind: "imagePush", repository, tag: detail["image-tag"], digest: text(detail, "image-digest") };
  }
  if (event.source !== DEPLOYMENT_SOURCE) return undefined;
  const base = {
    kind: "request" as const,
    cluster: optional(detail, "cluster") ?? "default",
    service: text(detail, "service"),
  };
  const taskDefinition = optional(detail, "taskDefinition");
  const image = optional(detail, "image");
  if ((taskDefinition === undefined) === (image === undefined)) {
    throw new DeployTriggerError(
      "A deployment request names either a taskDefinition or an image, not both or neither.",
    );
  }
  if (taskDefinition !== undefined) return { ...base, taskDefinition };
  const container = optional(detail, "container");
  return { ...base, image: image as string, ...(container !== undefined && { container }) };
}

function optional(detail: Record<string, unknown>, key: string): string | undefined {
  const value = detail[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "")
    throw new DeployTriggerError(`detail.${key} must be a non-empty string.`);
  return value;
}

function text(detail: Record<string, unknown>, key: string): string {
  const value = optional(detail, key);
  if (value === undefined) throw new DeployTriggerError(`detail.${key} is required.`);
  return value;
}
