import type { Tag } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../protocol/errors.ts";

/** Tag rules beyond the model's lengths: unique keys, and the `aws:` prefix is reserved. */
export function validateTags(tags: Tag[] | undefined) {
  if (!tags) return;
  if (tags.length > 50) throw invalidParameter("The number of tags exceeds the limit of 50.");
  const keys = new Set<string>();
  for (const tag of tags) {
    if (!tag.key) throw invalidParameter("Tag keys must not be empty.");
    if (tag.key.toLowerCase().startsWith("aws:"))
      throw invalidParameter("Tag keys with the prefix 'aws:' are reserved.");
    if (keys.has(tag.key)) throw invalidParameter(`Duplicate tag key: ${tag.key}`);
    keys.add(tag.key);
  }
}

/** Tags after TagResource: new values replace old ones with the same key. */
export function mergeTags(current: Tag[] = [], added: Tag[]): Tag[] {
  const merged = [...current.filter((t) => !added.some((a) => a.key === t.key)), ...added];
  validateTags(merged);
  return merged;
}

export const removeTags = (current: Tag[] = [], keys: string[]) => current.filter((t) => !keys.includes(t.key ?? ""));
