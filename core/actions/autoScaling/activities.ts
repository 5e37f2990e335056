import type {
  DescribeScalingActivitiesRequest,
  DescribeScalingActivitiesResponse,
} from "@aws-sdk/client-application-auto-scaling";
import type { ActionContext } from "../../operations/context.ts";
import { pageOf } from "./paging.ts";
import { onlyEcsServices, scaledServices } from "./resource.ts";

/** The scaling activities Berth's scaler recorded, newest first (each service keeps its latest 50). */
export async function DescribeScalingActivities(
  input: DescribeScalingActivitiesRequest,
  ctx: ActionContext,
): Promise<DescribeScalingActivitiesResponse> {
  onlyEcsServices(input);
  const services = await scaledServices(ctx, input.ResourceId === undefined ? undefined : [input.ResourceId]);
  const activities = services.flatMap((s) => s.activities);
  // Newest first: the key counts down from the far future, then the id breaks ties.
  const key = (a: (typeof activities)[number]) =>
    `${String(9e15 - (a.StartTime?.getTime() ?? 0)).padStart(16, "0")}#${a.ActivityId}`;
  const page = pageOf(activities, key, input);
  return { ScalingActivities: page.items, NextToken: page.NextToken };
}
