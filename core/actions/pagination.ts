import { invalidParameter } from "../protocol/errors.ts";
import type { Page, PageRequest } from "../store/port.ts";

/** ECS's opaque nextToken wraps the store's cursor. */
export function pageRequest(input: { maxResults?: number; nextToken?: string }, max = 100): PageRequest {
  const limit = input.maxResults ?? max;
  if (limit < 1 || limit > max) throw invalidParameter(`maxResults must be between 1 and ${max}.`);
  return { limit, after: input.nextToken === undefined ? undefined : decodeToken(input.nextToken) };
}

export const nextToken = (page: Page<unknown>) =>
  page.next === undefined ? undefined : Buffer.from(JSON.stringify({ after: page.next })).toString("base64url");

/** A cursor is a name or id of what was listed: never empty, never beyond DynamoDB's 1,024-byte sort keys. */
const MAX_CURSOR_BYTES = 1024;

function decodeToken(token: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof after === "string" && after !== "" && Buffer.byteLength(after) <= MAX_CURSOR_BYTES) return after;
  } catch {}
  throw invalidParameter("Invalid nextToken.");
}

/** Pages over a list already in memory (filtered results), with the same token format. */
export function pageInMemory<T>(items: T[], key: (item: T) => string, page: PageRequest): Page<T> {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const rest = page.after === undefined ? sorted : sorted.filter((item) => key(item) > (page.after as string));
  const slice = rest.slice(0, page.limit);
  return { items: slice, next: rest.length > page.limit ? key(slice[slice.length - 1]) : undefined };
}
