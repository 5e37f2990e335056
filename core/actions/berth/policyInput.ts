import type { AccessPolicy } from "../../auth/records.ts";
import { invalidParameter } from "../../protocol/errors.ts";

import type { Members } from "./input.ts";

const MAX_PATTERNS = 100;

/**
 * The policy of CreateAccessKey, as a client writes it: `{"kind":"admin"}`, `{"kind":"read-only"}`,
 * `{"kind":"scoped","actions":["ecs:RunTask","ecs:Describe*"],"resources":["arn:aws:ecs:*:*:cluster/web"]}`
 * or `{"kind":"bootstrap","cluster":"web"}`. Instance keys are only ever issued to agents.
 */
export function policyOf(members: Members): AccessPolicy {
  const kind = members.requiredEnum("kind", ["admin", "read-only", "scoped", "bootstrap"] as const);
  switch (kind) {
    case "admin":
    case "read-only":
      return { kind };
    case "bootstrap":
      return { kind, cluster: members.requiredString("cluster") };
    case "scoped": {
      const actions = members.strings("actions", 1, MAX_PATTERNS);
      const resources = members.strings("resources", 1, MAX_PATTERNS);
      if (!actions || !resources) throw invalidParameter("A scoped policy needs both actions and resources.");
      for (const action of actions) {
        if (!/^(ecs|berth|application-autoscaling|cloudwatch|\*):[A-Za-z*?]+$|^\*$/.test(action)) {
          throw invalidParameter(`'${action}' is not an action pattern such as ecs:RunTask or ecs:Describe*.`);
        }
      }
      return { kind, actions, resources };
    }
  }
}
