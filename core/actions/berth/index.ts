import type { ActionTable } from "../../operations/context.ts";
import { CreateAccessKey, DeleteAccessKey, ListAccessKeys } from "./accessKeys.ts";
import { GetAgentCredentials } from "./agentCredentials.ts";
import { ListAuditEvents } from "./auditEvents.ts";
import { GetCallerIdentity } from "./callerIdentity.ts";
import { ListEvents } from "./events.ts";
import { SubmitTaskHealthChange } from "./health.ts";
import { Heartbeat } from "./heartbeat.ts";
import { DescribeUtilization } from "./utilization.ts";
import { GetUtilizationHistory } from "./utilizationHistory.ts";

/**
 * Berth's own actions, beside ECS's on the same endpoint under their own X-Amz-Target prefix
 * (see shapes.ts): what the ECS API has no words for. Each reads and checks its own input.
 */
export const berthActions: ActionTable = {
  Heartbeat,
  DescribeUtilization,
  GetUtilizationHistory,
  SubmitTaskHealthChange,
  CreateAccessKey,
  ListAccessKeys,
  DeleteAccessKey,
  GetAgentCredentials,
  ListAuditEvents,
  ListEvents,
  GetCallerIdentity,
};
