import middy from "@middy/core";
import { type Deployed, deploy } from "../../core/deploy/deploy.ts";
import { DeployTriggerError, type EventBridgeEvent, triggerOf } from "../../core/deploy/trigger.ts";
import type { ActionContext } from "../../core/operations/context.ts";

export interface DeployResult {
  deployed: Deployed[];
  /** Why nothing was deployed, for an event that was malformed or asked for nothing. */
  skipped?: string;
}

/**
 * The deploy function: an EventBridge event (a Berth deployment request, or ECR's image push)
 * in, UpdateService on the services it names out (core/deploy/). A malformed request is logged
 * and dropped rather than thrown: EventBridge would retry it for a day, to no avail. Anything
 * else that fails (the store, a lost race) is thrown, so that EventBridge retries.
 */
export function createDeployHandler(ctx: ActionContext, log: (message: string, detail: object) => void = () => {}) {
  const handle = async (event: EventBridgeEvent): Promise<DeployResult> => {
    let trigger: ReturnType<typeof triggerOf>;
    try {
      trigger = triggerOf(event);
    } catch (error) {
      if (!(error instanceof DeployTriggerError)) throw error;
      log("deployment request refused", { reason: error.message, source: event.source });
      return { deployed: [], skipped: error.message };
    }
    if (!trigger) return { deployed: [], skipped: `nothing to deploy for ${event.source} ${event["detail-type"]}` };
    try {
      const deployed = await deploy(ctx, trigger);
      log("deployed", { trigger, deployed });
      return { deployed };
    } catch (error) {
      if (!(error instanceof DeployTriggerError) && !isClientError(error)) throw error;
      log("deployment refused", { reason: (error as Error).message, trigger });
      return { deployed: [], skipped: (error as Error).message };
    }
  };
  return middy(handle);
}

/** An ECS client error (no such service, an invalid task definition): retrying will not help. */
const isClientError = (error: unknown) =>
  typeof error === "object" && error !== null && "status" in error && (error as { status: number }).status < 500;
