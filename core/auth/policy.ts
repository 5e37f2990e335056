import type { AccessPolicy } from "./records.ts";

export type { AccessPolicy };

/** What a call asks to do: `ecs:RunTask` or `berth:CreateAccessKey`, on these resource ARNs. */
export interface Request {
  action: string;
  resources: string[];
}

/** Reads, as ECS's managed read-only policies count them: Describe*, List*, Get*. */
export const isReadOnly = (operation: string) => /^(Describe|List|Get)[A-Z]/.test(operation);

/**
 * Berth's key and audit management, and minting an agent's credentials: admin keys only (and,
 * for GetAgentCredentials, a bootstrap key, decided in agentScope.ts), whatever a read-only or
 * scoped policy says: each would let its holder make itself more powerful.
 */
export const ADMIN_ONLY = new Set([
  "berth:CreateAccessKey",
  "berth:ListAccessKeys",
  "berth:DeleteAccessKey",
  "berth:ListAuditEvents",
  "berth:GetAgentCredentials",
]);

/**
 * What every admin, read-only or scoped key may call whatever its patterns say, as any AWS
 * identity may call STS's GetCallerIdentity: it tells the caller about its own key and nothing
 * else. (Bootstrap and instance keys are agents' and decided in agentScope.ts.)
 */
export const ALWAYS_ALLOWED = new Set(["berth:GetCallerIdentity"]);

/**
 * An IAM-style pattern: `*` matches any run of characters, `?` any one, everything else itself
 * (case-sensitively, as IAM compares resource ARNs; action names are compared in lower case).
 * Matched by walking both strings, going back only to the last `*`: at most pattern × value
 * steps. (A regular expression of `.*`s backtracks polynomially in the stars: a scoped key's
 * request naming a 100,000-character resource held the event loop for minutes.)
 */
export function matches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === value[v])) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      // The last `*` takes one character more; what follows it is matched again from there.
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * Whether a policy of the admin, read-only or scoped kind allows a request: a scoped key must
 * match the action with one of its action patterns and every resource with one of its resource
 * patterns. The bootstrap and instance kinds are decided elsewhere (agentScope.ts), since they
 * depend on what the store holds; here they allow nothing.
 */
export function allows(policy: AccessPolicy, request: Request): boolean {
  if (ADMIN_ONLY.has(request.action)) return policy.kind === "admin";
  if (ALWAYS_ALLOWED.has(request.action)) return ["admin", "read-only", "scoped"].includes(policy.kind);
  switch (policy.kind) {
    case "admin":
      return true;
    case "read-only":
      return isReadOnly(request.action.slice(request.action.indexOf(":") + 1));
    case "scoped":
      return (
        policy.actions.some((p) => matches(p.toLowerCase(), request.action.toLowerCase())) &&
        request.resources.every((r) => policy.resources.some((p) => matches(p, r)))
      );
    default:
      return false;
  }
}
