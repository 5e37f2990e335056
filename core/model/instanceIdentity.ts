import { invalidParameter } from "../protocol/errors.ts";

/** What Berth reads from an EC2 instance identity document (IMDS `/latest/dynamic/instance-identity/document`). */
export interface InstanceIdentity {
  instanceId?: string;
  instanceType?: string;
  availabilityZone?: string;
  imageId?: string;
  architecture?: string;
  accountId?: string;
  region?: string;
  /** When the instance last entered `pending`, i.e. the start of its current run. */
  pendingTime?: Date;
}

/**
 * The document's fields; undefined for no document. The ECS agent sends an empty document when
 * told not to fetch one (external instances). Whether the document is genuine is another matter
 * (core/auth/ec2/identityCheck.ts, when configured).
 */
export function parseIdentityDocument(document: string | undefined): InstanceIdentity | undefined {
  if (document === undefined || document.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw invalidParameter("The instance identity document is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter("The instance identity document must be a JSON object.");
  }
  const doc = parsed as Record<string, unknown>;
  const text = (key: string) => (typeof doc[key] === "string" && doc[key] !== "" ? (doc[key] as string) : undefined);
  const pending = text("pendingTime");
  const pendingTime = pending === undefined ? undefined : new Date(pending);
  return {
    instanceId: text("instanceId"),
    instanceType: text("instanceType"),
    availabilityZone: text("availabilityZone"),
    imageId: text("imageId"),
    architecture: text("architecture"),
    accountId: text("accountId"),
    region: text("region"),
    pendingTime: pendingTime && !Number.isNaN(pendingTime.getTime()) ? pendingTime : undefined,
  };
}
