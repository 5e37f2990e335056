import type { Stored } from "../model/records.ts";

/**
 * An access key the control plane verifies signatures with. The secret is kept sealed
 * (core/auth/secretBox.ts) with the key encryption key, never in clear; `policy` says what the
 * key may do (core/auth/policy.ts). Deleting a key expires its record at once.
 */
export interface AccessKeyRecord extends Stored {
  accessKeyId: string;
  sealedSecret: string;
  policy: AccessPolicy;
  /** Free text shown in listings (who the key is for). */
  description?: string;
  /** When the key was created (epoch ms; not a Date, which the ECS JSON decoding keeps for ECS members). */
  createdAtMs: number;
}

/**
 * What a key may do. `scoped`: IAM-style action patterns (`ecs:Describe*`, `berth:*`) and
 * resource ARN patterns (`arn:aws:ecs:*:*:cluster/web`, `*`). `bootstrap`: join one cluster
 * (register a container instance and fetch its credentials). `instance`: one container
 * instance's agent work.
 */
export type AccessPolicy =
  | { kind: "admin" }
  | { kind: "read-only" }
  | { kind: "scoped"; actions: string[]; resources: string[] }
  | { kind: "bootstrap"; cluster: string }
  | { kind: "instance"; cluster: string; containerInstanceId: string };

/** One mutating call (or refused call) as the audit trail keeps it. */
export interface AuditEventRecord extends Stored {
  /** Sorts by time: zero-padded epoch ms, then the request id. */
  id: string;
  atMs: number;
  accessKeyId: string;
  principal: AccessPolicy["kind"] | "unknown";
  /** `ecs:RunTask`, `berth:CreateAccessKey`. */
  action: string;
  resources: string[];
  /** `Success`, or the error's `__type` (AccessDeniedException, ClusterNotFoundException, …). */
  outcome: string;
}
