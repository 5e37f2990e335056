import type { Page, PageRequest } from "./port.ts";

/** Every item of a store list, page after page (a cursor is exclusive, so none is lost or repeated). */
export async function* everyItem<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 100): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await list({ limit, after });
    yield* page.items;
    after = page.next;
  } while (after !== undefined);
}

/** Every item of a store list, read page after page into one array. */
export async function allItems<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 100): Promise<T[]> {
  const items: T[] = [];
  for await (const item of everyItem(list, limit)) items.push(item);
  return items;
}
