import { nextToken, pageInMemory, pageRequest } from "../pagination.ts";

/** Application Auto Scaling's paging (MaxResults up to 50, NextToken) over a list in memory. */
export function pageOf<T>(items: T[], key: (item: T) => string, input: { MaxResults?: number; NextToken?: string }) {
  const page = pageInMemory(items, key, pageRequest({ maxResults: input.MaxResults, nextToken: input.NextToken }, 50));
  return { items: page.items, NextToken: nextToken(page) };
}
