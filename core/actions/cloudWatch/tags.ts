import type { AlarmRecord } from "../../model/records.ts";
import type { ActionContext } from "../../operations/context.ts";
import { retryOnConflict } from "../../operations/retry.ts";
import { put } from "../../store/port.ts";
import { invalidValue, resourceNotFound } from "./errors.ts";
import type { Tag } from "./shapes.ts";

/** An alarm's tags by its ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`), as Terraform reads them back. */
export async function ListTagsForResource(input: { ResourceARN: string }, ctx: ActionContext) {
  const record = await alarmOf(ctx, input.ResourceARN);
  return { Tags: Object.entries(record.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
}

export async function TagResource(input: { ResourceARN: string; Tags: Tag[] }, ctx: ActionContext) {
  await changeTags(ctx, input.ResourceARN, (tags) => {
    for (const t of input.Tags) tags[t.Key] = t.Value;
  });
  return {};
}

export async function UntagResource(input: { ResourceARN: string; TagKeys: string[] }, ctx: ActionContext) {
  await changeTags(ctx, input.ResourceARN, (tags) => {
    for (const key of input.TagKeys) delete tags[key];
  });
  return {};
}

/** CloudWatch allows 50 tags on a resource. */
const MAX_TAGS = 50;

function changeTags(ctx: ActionContext, arn: string, change: (tags: Record<string, string>) => void) {
  return retryOnConflict(async () => {
    const record = await alarmOf(ctx, arn);
    const tags = { ...record.tags };
    change(tags);
    if (Object.keys(tags).length > MAX_TAGS) throw invalidValue(`A resource can have at most ${MAX_TAGS} tags.`);
    await ctx.store.commit([put("alarm", { ...record, tags })]);
  });
}

async function alarmOf(ctx: ActionContext, arn: string): Promise<AlarmRecord> {
  const { region, accountId } = ctx.partition;
  const prefix = `arn:aws:cloudwatch:${region}:${accountId}:alarm:`;
  if (!arn.startsWith(prefix)) {
    if (!/^arn:[^:]+:cloudwatch:/.test(arn)) throw invalidValue(`Invalid ARN: ${arn}`);
    throw resourceNotFound(`The resource ${arn} does not exist.`);
  }
  const record = await ctx.store.getAlarm(arn.slice(prefix.length));
  if (!record) throw resourceNotFound(`The resource ${arn} does not exist.`);
  return record;
}
