import { randomUUID } from "node:crypto";
import type { PutEventsRequest, PutEventsResponse, PutEventsResultEntry } from "@aws-sdk/client-eventbridge";
import type { Context } from "aws-lambda";
import type { ActionContext } from "../core/operations/context.ts";
import type { TargetApi } from "../core/protocol/handle.ts";
import { createDeployHandler } from "../functions/deploy/handler.ts";
import type { EventRing } from "./eventRing.ts";

/** EventBridge's JSON 1.1 target prefix: `aws events put-events --endpoint-url` sends `AWSEvents.PutEvents`. */
export const EVENTBRIDGE_TARGET_PREFIX = "AWSEvents";

/**
 * Local mode's EventBridge endpoint: PutEvents in EventBridge's own protocol, on the same URL as
 * the ECS API. Each entry becomes the event EventBridge would deliver; the deploy function gets
 * every event (it ignores what is not a deployment request or an ECR push, as its rules would
 * not match on AWS), and the event is kept in the ring. The call answers once deployments are
 * committed, so a script can describe the service right after.
 */
export function localEventBus(ctx: ActionContext, ring: EventRing): TargetApi {
  const deploy = createDeployHandler(ctx, (message, detail) =>
    console.log(`berth: ${message}: ${JSON.stringify(detail)}`),
  );
  const PutEvents = async (input: PutEventsRequest): Promise<PutEventsResponse> => {
    const results: PutEventsResultEntry[] = [];
    for (const entry of input.Entries ?? []) {
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        results.push({ ErrorCode: "InvalidArgument", ErrorMessage: "Source, DetailType and Detail are required." });
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        results.push({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
        continue;
      }
      const id = randomUUID();
      const time = timeOf(entry.Time) ?? ctx.now();
      await ring.publish([
        {
          ...entry,
          Source: entry.Source,
          DetailType: entry.DetailType,
          Detail: entry.Detail,
          Resources: entry.Resources ?? [],
          Time: time,
        },
      ]);
      const event = {
        version: "0",
        id,
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: ctx.partition.accountId,
        time: time.toISOString(),
        region: ctx.partition.region,
        resources: entry.Resources ?? [],
        detail,
      };
      await deploy(event, { awsRequestId: id } as Context);
      results.push({ EventId: id });
    }
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  };
  return { prefix: EVENTBRIDGE_TARGET_PREFIX, policyName: "events", actions: { PutEvents } };
}

/** The CLI sends Time as epoch seconds (JSON 1.1's timestamp encoding); an SDK may hand a Date. */
const timeOf = (time: Date | number | string | undefined) =>
  time === undefined ? undefined : typeof time === "number" ? new Date(time * 1000) : new Date(time);
