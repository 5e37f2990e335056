import type { AccessPolicy } from "../../core/actions/berth/shapes.ts";

/** Whether the console offers changes, and if not, why (shown next to every disabled button). */
export interface Permission {
  canChange: boolean;
  reason?: string;
}

/**
 * What the signed-in key may do, from its policy as GetCallerIdentity answered it. A read-only
 * key can change nothing, so its buttons are disabled up front. A scoped key's buttons stay
 * enabled: whether a given change falls in its patterns is the API's call, and a refusal shows
 * as ECS words it (AccessDeniedException). The API decides either way; this only spares clicks.
 */
export function permissionOf(accessKeyId: string, policy: AccessPolicy): Permission {
  if (policy.kind === "admin" || policy.kind === "scoped") return { canChange: true };
  return {
    canChange: false,
    reason: `The key ${accessKeyId} is ${policy.kind}: it can see everything and change nothing.`,
  };
}

/** The id of the element that says why buttons are disabled (their aria-describedby). */
export const PERMISSION_REASON_ID = "permission-reason";
