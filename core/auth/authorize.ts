import type { Partition } from "../model/config.ts";
import { accessDenied } from "../protocol/errors.ts";
import type { Store } from "../store/port.ts";
import { bootstrapAllows, instanceAllows } from "./agentScope.ts";
import { allows } from "./policy.ts";
import type { AccessPolicy } from "./records.ts";
import { resourcesOf } from "./touchedResources.ts";

/** Who signed the request, as its access key says. */
export interface Caller {
  accessKeyId: string;
  policy: AccessPolicy;
}

/**
 * The one place a call is allowed or refused, after its signature was verified and before its
 * action runs (so a refused call writes nothing): the key's policy against the action and the
 * resources it touches (resources.ts). Refusal is AccessDeniedException, worded as IAM words it.
 */
export async function authorize(
  store: Store,
  partition: Partition,
  caller: Caller,
  action: string,
  input: unknown,
  resources = resourcesOf(partition, action, input),
): Promise<void> {
  const { policy } = caller;
  const allowed =
    policy.kind === "bootstrap"
      ? await bootstrapAllows(store, policy, action, input)
      : policy.kind === "instance"
        ? await instanceAllows(store, policy, action, input)
        : allows(policy, { action, resources });
  if (!allowed) {
    throw accessDenied(
      `User: ${caller.accessKeyId} is not authorized to perform: ${action} on resource: ${resources.join(", ")}`,
    );
  }
}
