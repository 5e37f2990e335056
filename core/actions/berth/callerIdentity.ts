import type { ActionContext } from "../../operations/context.ts";
import type { GetCallerIdentityResponse } from "./shapes.ts";

/**
 * Who signed the call: the access key and its policy, as STS's GetCallerIdentity answers for
 * AWS. A client (the web console) learns from it what the key may do without trying a change:
 * a read-only key's buttons are disabled up front. Every key may call it (core/auth/policy.ts),
 * as every AWS identity may call GetCallerIdentity: it tells a caller only about itself.
 */
export async function GetCallerIdentity(_input: unknown, ctx: ActionContext): Promise<GetCallerIdentityResponse> {
  // The protocol layer sets the caller of every signed call; a context without one is a
  // handler built without access control (protocol tests), where any caller is an admin.
  const caller = ctx.caller ?? { accessKeyId: "", policy: { kind: "admin" as const } };
  return { accessKeyId: caller.accessKeyId, policy: caller.policy };
}
